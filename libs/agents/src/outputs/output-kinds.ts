/** What an agent produces; each kind has a validator and a JSON schema. */
export const OUTPUT_KINDS = [
  'plan',
  'design_doc',
  'code_change',
  'review',
  'test_plan',
  'deployment_plan',
  'mcq_item',
] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export function isOutputKind(value: unknown): value is OutputKind {
  return typeof value === 'string' && (OUTPUT_KINDS as readonly string[]).includes(value);
}

export interface PlanTask {
  id: string;
  title: string;
  description: string;
  role?: string;
  capability?: string;
  /** The subject the plan assigned (an MCQ's topic), so steps need not parse it out of the title. */
  topic?: string;
  depends_on: string[];
}
export interface PlanOutput {
  summary: string;
  tasks: PlanTask[];
}

export interface DesignDocOutput {
  title: string;
  summary: string;
  components: { name: string; responsibility: string }[];
  interfaces: { name: string; description: string }[];
  decisions: { decision: string; rationale: string }[];
  risks: { risk: string; mitigation: string }[];
  open_questions?: string[];
}

export const FILE_ACTIONS = ['create', 'modify', 'delete'] as const;
export interface CodeChangeOutput {
  summary: string;
  files: { path: string; language: string; action?: (typeof FILE_ACTIONS)[number]; content: string }[];
  tests?: string[];
}

export const REVIEW_VERDICTS = ['approve', 'revise', 'reject'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];
export const ISSUE_SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export interface ReviewOutput {
  verdict: ReviewVerdict;
  summary: string;
  issues: {
    severity: (typeof ISSUE_SEVERITIES)[number];
    description: string;
    location?: string;
    suggestion?: string;
  }[];
}

export const TEST_TYPES = [
  'unit',
  'integration',
  'e2e',
  'performance',
  'security',
  'accessibility',
  'clinical_accuracy',
  'manual',
] as const;
export interface TestPlanOutput {
  summary: string;
  scope: string;
  test_cases: {
    id: string;
    title: string;
    type: (typeof TEST_TYPES)[number];
    steps: string[];
    expected_result: string;
  }[];
  risks?: string[];
}

export interface DeploymentPlanOutput {
  summary: string;
  environment: string;
  steps: { order: number; action: string; command?: string; verification: string }[];
  rollback: { order: number; action: string }[];
  health_checks: string[];
}

export const MCQ_DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export const MCQ_OPTION_KEYS = ['A', 'B', 'C', 'D', 'E'] as const;
export interface McqItemOutput {
  topic: string;
  stem: string;
  options: { key: string; text: string }[];
  correct_key: string;
  explanation: string;
  references: string[];
  difficulty: (typeof MCQ_DIFFICULTIES)[number];
}

/** The answer an agent gives when another agent consults it (not a task output kind). */
export interface ConsultationAnswer {
  answer: string;
  confidence: number;
  rationale: string;
}

export interface OutputByKind {
  plan: PlanOutput;
  design_doc: DesignDocOutput;
  code_change: CodeChangeOutput;
  review: ReviewOutput;
  test_plan: TestPlanOutput;
  deployment_plan: DeploymentPlanOutput;
  mcq_item: McqItemOutput;
}
