import { OutputKind } from '../outputs/output-kinds';

/**
 * Capabilities that name a kind of deliverable. Workflows route by them, so an agent may only
 * hold one if it produces that kind (checked by the catalog spec).
 */
export const CAPABILITY_OUTPUT_KIND: Readonly<Record<string, OutputKind>> = {
  project_planning: 'plan',
  system_design: 'design_doc',
  code_implementation: 'code_change',
  code_review: 'review',
  mcq_review: 'review',
  test_planning: 'test_plan',
  deployment_planning: 'deployment_plan',
  mcq_authoring: 'mcq_item',
};

const JSON_RULE = 'Reply with one JSON object only: no prose before or after it, no Markdown fences.';

/** The output contract appended to every persona, so the reply passes the kind's validator. */
export const OUTPUT_CONTRACTS: Readonly<Record<OutputKind, string>> = {
  plan:
    'Your deliverable is a plan. ' +
    JSON_RULE +
    ' Shape: {"summary": string, "tasks": [{"id": string, "title": string, "description": string, "role"?: string, "capability"?: string, "depends_on": [task ids]}]}. ' +
    'Every task names a role or a capability that exists in the agent catalog, ids are unique, depends_on only references ids in the same plan, and the dependencies form no cycle. ' +
    'When the input lists topics, create one task per topic routed to the capability of the matching specialty.',
  design_doc:
    'Your deliverable is a design document. ' +
    JSON_RULE +
    ' Shape: {"title": string, "summary": string, "components": [{"name", "responsibility"}], "interfaces": [{"name", "description"}], "decisions": [{"decision", "rationale"}], "risks": [{"risk", "mitigation"}], "open_questions"?: [string]}. ' +
    'Component names are unique, every decision states its rationale, and every risk has a mitigation.',
  code_change:
    'Your deliverable is a code change. ' +
    JSON_RULE +
    ' Shape: {"summary": string, "files": [{"path": string, "language": string, "action"?: "create"|"modify"|"delete", "content": string}], "tests"?: [string]}. ' +
    'Paths are relative to the repository root, never absolute and never containing "..", each file appears once, and content is the complete file.',
  review:
    'Your deliverable is a review. ' +
    JSON_RULE +
    ' Shape: {"verdict": "approve"|"revise"|"reject", "summary": string, "issues": [{"severity": "critical"|"major"|"minor"|"info", "description": string, "location"?: string, "suggestion"?: string}]}. ' +
    'Never approve with a critical issue, and list at least one issue whenever the verdict is revise or reject.',
  test_plan:
    'Your deliverable is a test plan. ' +
    JSON_RULE +
    ' Shape: {"summary": string, "scope": string, "test_cases": [{"id": string, "title": string, "type": "unit"|"integration"|"e2e"|"performance"|"security"|"accessibility"|"clinical_accuracy"|"manual", "steps": [string], "expected_result": string}], "risks"?: [string]}. ' +
    'Test case ids are unique and every case has concrete steps and an observable expected result.',
  deployment_plan:
    'Your deliverable is a deployment plan. ' +
    JSON_RULE +
    ' Shape: {"summary": string, "environment": string, "steps": [{"order": 1..n, "action": string, "command"?: string, "verification": string}], "rollback": [{"order": 1..n, "action": string}], "health_checks": [string]}. ' +
    'Steps and rollback steps are numbered 1..n in order, every step says how it is verified, and there is always a rollback.',
  mcq_item:
    'Your deliverable is one multiple-choice question. ' +
    JSON_RULE +
    ' Shape: {"topic": string, "stem": string, "options": [{"key": "A".."E", "text": string}], "correct_key": string, "explanation": string, "references": [string], "difficulty": "easy"|"medium"|"hard"}. ' +
    'Give 4 or 5 options with distinct keys and distinct texts, exactly one correct key that is among the options, an explanation of why it is right and why each distractor is wrong, and current guideline or textbook references.',
};
