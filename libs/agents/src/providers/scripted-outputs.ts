// Over 400 lines: kept whole while wave 2's branches merged into it; splitting it by responsibility is issue 10's
// named work (docs/architecture.md, "Known debt"), to be done before more features land here.
import { createHash } from 'node:crypto';
import { specialtyForTopic } from '../catalog/catalog';
import type { AgentDefinition } from '../catalog/catalog.types';
import type { AgentTask } from '../lifecycle/agent-task';
import {
  CodeChangeOutput,
  ConsultationAnswer,
  DeploymentPlanOutput,
  DesignDocOutput,
  McqItemOutput,
  OutputByKind,
  OutputKind,
  PlanOutput,
  REVIEW_VERDICTS,
  ReviewOutput,
  ReviewVerdict,
  TestPlanOutput,
} from '../outputs/output-kinds';

/**
 * `input.scripted` on a task: how tests and workflows steer the scripted provider.
 * - `verdict`: the review verdict (approve | revise | reject); default approve.
 * - `verdict_sequence`: verdicts indexed by `input.revision` (0-based), else by attempt - 1; the last repeats.
 * - `invalid_json_once`: the first call replies with broken JSON, the repair call with valid JSON.
 * - `invalid_json`: every call replies with broken JSON (the task fails after its repair attempt).
 * - `invalid_output`: valid JSON that fails the output kind's validator.
 * - `latency_ms`: overrides SCRIPTED_LATENCY_MS for this task.
 * - `fail`: the call throws a provider error with this message.
 * - `answer`, `confidence` (on a consult payload's `scripted`): the consultation reply.
 */
export interface ScriptedSteering {
  verdict?: ReviewVerdict;
  verdict_sequence?: ReviewVerdict[];
  invalid_json_once?: boolean;
  invalid_json?: boolean;
  invalid_output?: boolean;
  latency_ms?: number;
  fail?: string;
  answer?: string;
  confidence?: number;
}

export function readSteering(value: unknown): ScriptedSteering {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const v = value as Record<string, unknown>;
  const verdict = (x: unknown): x is ReviewVerdict =>
    typeof x === 'string' && (REVIEW_VERDICTS as readonly string[]).includes(x);
  return {
    verdict: verdict(v.verdict) ? v.verdict : undefined,
    verdict_sequence: Array.isArray(v.verdict_sequence) ? v.verdict_sequence.filter(verdict) : undefined,
    invalid_json_once: v.invalid_json_once === true,
    invalid_json: v.invalid_json === true,
    invalid_output: v.invalid_output === true,
    latency_ms: typeof v.latency_ms === 'number' && v.latency_ms >= 0 ? v.latency_ms : undefined,
    fail: typeof v.fail === 'string' ? v.fail : undefined,
    answer: typeof v.answer === 'string' ? v.answer : undefined,
    confidence: typeof v.confidence === 'number' ? v.confidence : undefined,
  };
}

/** Stable pseudo-random source for one agent + task, so the same task always gets the same output. */
class Dice {
  private counter = 0;
  constructor(private readonly seed: string) {}
  next(n: number): number {
    const digest = createHash('sha256').update(`${this.seed}#${this.counter++}`).digest();
    return digest.readUInt32BE(0) % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.next(items.length)];
  }
}

interface Ctx {
  agent: AgentDefinition;
  task?: AgentTask;
  steering: ScriptedSteering;
  dice: Dice;
  title: string;
  brief: string;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'change';

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

function plan(ctx: Ctx): PlanOutput {
  const topics = stringList(ctx.task?.input.topics);
  if (topics.length > 0) {
    return {
      summary: `One MCQ per topic (${topics.length}), each routed to the matching specialty; drafted by the scripted provider.`,
      tasks: topics.map((topic, i) => ({
        id: `t${i + 1}`,
        title: `Draft MCQ: ${topic}`,
        topic,
        description: `Write one board-style multiple-choice question on "${topic}" with a vignette, 4-5 options, one key, explanation and references.`,
        capability: specialtyForTopic(topic) ?? 'mcq_authoring',
        depends_on: [],
      })),
    };
  }
  const goal = ctx.brief || ctx.title;
  return {
    summary: `Deliver "${ctx.title}": design, build, test, review and deploy (scripted plan).`,
    tasks: [
      {
        id: 'design',
        title: `Design: ${ctx.title}`,
        description: `Write the design for: ${goal}`,
        capability: 'system_design',
        depends_on: [],
      },
      {
        id: 'build',
        title: `Implement: ${ctx.title}`,
        description: 'Implement the agreed design with tests.',
        capability: 'code_implementation',
        depends_on: ['design'],
      },
      {
        id: 'test',
        title: `Test plan: ${ctx.title}`,
        description: 'Plan unit, integration and end-to-end tests.',
        capability: 'test_planning',
        depends_on: ['build'],
      },
      {
        id: 'review',
        title: `Review: ${ctx.title}`,
        description: 'Review the change for correctness and maintainability.',
        role: 'qa_engineer',
        capability: 'code_review',
        depends_on: ['build'],
      },
      {
        id: 'deploy',
        title: `Deploy: ${ctx.title}`,
        description: 'Plan the rollout with health checks and rollback.',
        capability: 'deployment_planning',
        depends_on: ['test', 'review'],
      },
    ],
  };
}

function designDoc(ctx: Ctx): DesignDocOutput {
  const techs = ctx.agent.technologies.slice(0, 3);
  return {
    title: `Design: ${ctx.title}`,
    summary: `${ctx.agent.name} proposes a design for "${ctx.title}" built on ${techs.join(', ')} (scripted output, not a model's work).`,
    components: techs.map((tech, i) => ({
      name: `${tech} component ${i + 1}`,
      responsibility: `Handles the ${['interface', 'core logic', 'persistence'][i] ?? 'support'} of ${ctx.title} using ${tech}.`,
    })),
    interfaces: [
      {
        name: `${slug(ctx.title)}-api`,
        description: 'JSON over HTTP with snake_case fields and explicit error codes.',
      },
    ],
    decisions: [
      {
        decision: `Use ${techs[0] ?? 'the existing stack'}`,
        rationale: `It is ${ctx.agent.name}'s primary tool and already in use.`,
      },
    ],
    risks: [
      {
        risk: 'Requirements may change during implementation',
        mitigation: 'Keep interfaces versioned and review the design after the first iteration.',
      },
    ],
    open_questions: ctx.dice.next(2) === 0 ? [] : ['Which load should the first release support?'],
  };
}

function languageFor(agent: AgentDefinition): { language: string; ext: string } {
  const techs = agent.technologies.join(' ').toLowerCase();
  if (techs.includes('python')) return { language: 'python', ext: 'py' };
  if (techs.includes('terraform')) return { language: 'hcl', ext: 'tf' };
  if (techs.includes('sql') && !techs.includes('typescript')) return { language: 'sql', ext: 'sql' };
  if (techs.includes('github actions')) return { language: 'yaml', ext: 'yml' };
  if (techs.includes('prometheus')) return { language: 'yaml', ext: 'yml' };
  return { language: 'typescript', ext: 'ts' };
}

function codeChange(ctx: Ctx): CodeChangeOutput {
  const { language, ext } = languageFor(ctx.agent);
  const name = slug(ctx.title);
  const comment = ext === 'py' || ext === 'tf' || ext === 'yml' ? '#' : ext === 'sql' ? '--' : '//';
  return {
    summary: `${ctx.agent.name}: ${ctx.title} (scripted change).`,
    files: [
      {
        path: `src/${name}/${name}.${ext}`,
        language,
        action: 'create',
        content: `${comment} ${ctx.title}\n${comment} generated by the scripted provider for ${ctx.agent.agent_id}\n`,
      },
      {
        path: `tests/${name}/${name}.test.${ext}`,
        language,
        action: 'create',
        content: `${comment} tests for ${ctx.title}\n`,
      },
    ],
    tests: [`tests/${name}/${name}.test.${ext}`],
  };
}

function verdictFor(ctx: Ctx): ReviewVerdict {
  const sequence = ctx.steering.verdict_sequence;
  if (sequence && sequence.length > 0) {
    const revision = ctx.task?.input.revision;
    const index =
      typeof revision === 'number' && Number.isInteger(revision) && revision >= 0
        ? revision
        : (ctx.task?.attempt ?? 1) - 1;
    return sequence[Math.min(index, sequence.length - 1)];
  }
  return ctx.steering.verdict ?? 'approve';
}

function review(ctx: Ctx): ReviewOutput {
  const verdict = verdictFor(ctx);
  const subject = ctx.title;
  switch (verdict) {
    case 'approve':
      return {
        verdict,
        summary: `${ctx.agent.name} approves "${subject}" (scripted review).`,
        issues: [{ severity: 'info', description: 'No blocking findings.' }],
      };
    case 'revise':
      return {
        verdict,
        summary: `${ctx.agent.name} asks for a revision of "${subject}" (scripted review).`,
        issues: [
          {
            severity: 'major',
            description: 'The explanation does not justify why each distractor is wrong.',
            suggestion: 'Explain every distractor.',
          },
        ],
      };
    case 'reject':
      return {
        verdict,
        summary: `${ctx.agent.name} rejects "${subject}" (scripted review).`,
        issues: [
          {
            severity: 'critical',
            description: 'The keyed answer is not supported by the references.',
            suggestion: 'Rewrite the item from the guideline.',
          },
        ],
      };
  }
}

function testPlan(ctx: Ctx): TestPlanOutput {
  const has = (c: string) => ctx.agent.capabilities.some((x) => x.capability === c);
  const types = has('load_testing')
    ? (['performance', 'performance', 'integration'] as const)
    : has('llm_evaluation')
      ? (['clinical_accuracy', 'integration', 'manual'] as const)
      : (['unit', 'integration', 'e2e'] as const);
  return {
    summary: `${ctx.agent.name}: test plan for "${ctx.title}" (scripted).`,
    scope: ctx.brief || ctx.title,
    test_cases: types.map((type, i) => ({
      id: `TC-${i + 1}`,
      title: `${type} check ${i + 1} for ${ctx.title}`,
      type,
      steps: ['Prepare the input data', `Exercise ${ctx.title}`, 'Record the outcome'],
      expected_result: 'The observed behaviour matches the requirement.',
    })),
    risks: ['Test data may not reflect production'],
  };
}

function deploymentPlan(ctx: Ctx): DeploymentPlanOutput {
  const env = typeof ctx.task?.input.environment === 'string' ? ctx.task.input.environment : 'staging';
  return {
    summary: `${ctx.agent.name}: roll out "${ctx.title}" to ${env} (scripted plan).`,
    environment: env,
    steps: [
      {
        order: 1,
        action: 'Back up the database',
        command: 'pg_dump --format=custom',
        verification: 'Backup file exists and restores into a scratch database',
      },
      {
        order: 2,
        action: 'Apply migrations',
        command: 'npm run migration:run',
        verification: 'Migration table lists the new migration',
      },
      {
        order: 3,
        action: 'Roll out the new version',
        command: 'helm upgrade --install --atomic',
        verification: 'All pods ready',
      },
      {
        order: 4,
        action: 'Watch error rate and latency for 15 minutes',
        verification: 'Error rate and p95 latency within SLO',
      },
    ],
    rollback: [
      { order: 1, action: 'helm rollback to the previous revision' },
      { order: 2, action: 'Revert the migration if the old version cannot run on the new schema' },
    ],
    health_checks: ['GET /health returns 200', 'GET /health/ready returns 200'],
  };
}

const DISTRACTORS = [
  'Reassurance and routine follow-up in 12 months',
  'Immediate surgical referral without further evaluation',
  'Empiric broad-spectrum antibiotics',
  'Repeat the same test in 6 months before any treatment',
  'Discharge with over-the-counter analgesia',
];

function mcqItem(ctx: Ctx): McqItemOutput {
  const topic = typeof ctx.task?.input.topic === 'string' ? ctx.task.input.topic : ctx.title;
  const specialty = ctx.agent.specializations[0] ?? ctx.agent.name;
  const count = 4 + ctx.dice.next(2);
  const keys = ['A', 'B', 'C', 'D', 'E'].slice(0, count);
  const correctIndex = ctx.dice.next(count);
  const distractors = [...DISTRACTORS];
  const texts = keys.map((_, i) =>
    i === correctIndex
      ? `Guideline-directed management of ${topic}`
      : distractors.splice(ctx.dice.next(distractors.length), 1)[0],
  );
  const age = 30 + ctx.dice.next(50);
  return {
    topic,
    stem: `A ${age}-year-old patient is seen in ${specialty.toLowerCase()} with a presentation typical of ${topic}. Which of the following is the most appropriate next step in management?`,
    options: keys.map((key, i) => ({ key, text: texts[i] })),
    correct_key: keys[correctIndex],
    explanation: `Guideline-directed management is indicated for ${topic}; the other options delay effective treatment or treat the wrong problem. (Scripted item by ${ctx.agent.agent_id}, not clinical content.)`,
    references: ctx.agent.technologies.slice(0, 2),
    difficulty: ctx.dice.pick(['easy', 'medium', 'hard'] as const),
  };
}

const BUILDERS: { [K in OutputKind]: (ctx: Ctx) => OutputByKind[K] } = {
  plan,
  design_doc: designDoc,
  code_change: codeChange,
  review,
  test_plan: testPlan,
  deployment_plan: deploymentPlan,
  mcq_item: mcqItem,
};

function context(agent: AgentDefinition, task: AgentTask | undefined, steering: ScriptedSteering): Ctx {
  const title = task?.title ?? agent.name;
  return {
    agent,
    task,
    steering,
    title,
    brief: task?.description ?? '',
    dice: new Dice(`${agent.agent_id}|${title}|${task?.description ?? ''}`),
  };
}

/** A valid output of the agent's kind for this task, derived only from agent and task content. */
export function scriptedOutput(
  agent: AgentDefinition,
  task: AgentTask | undefined,
  steering: ScriptedSteering = {},
): OutputByKind[OutputKind] {
  return BUILDERS[agent.output_kind](context(agent, task, steering));
}

/** Valid JSON that each kind's validator rejects (for `invalid_output`). */
export function brokenOutput(kind: OutputKind, valid: Record<string, unknown>): Record<string, unknown> {
  switch (kind) {
    case 'plan':
      return {
        ...valid,
        tasks: [
          { id: 'a', title: 'A', description: 'a', role: 'wizard', depends_on: ['b'] },
          { id: 'b', title: 'B', description: 'b', capability: 'system_design', depends_on: ['a'] },
        ],
      };
    case 'mcq_item':
      return { ...valid, options: (valid.options as unknown[]).slice(0, 3), correct_key: 'E' };
    case 'code_change':
      return { ...valid, files: [{ path: '../etc/passwd', language: 'text', content: 'x' }] };
    case 'review':
      return { ...valid, verdict: 'maybe' };
    case 'design_doc':
    case 'test_plan':
    case 'deployment_plan':
      return { summary: valid.summary };
  }
}

export function consultationAnswer(
  agent: AgentDefinition,
  question: string,
  steering: ScriptedSteering,
): ConsultationAnswer {
  return {
    answer:
      steering.answer ?? `${agent.name} (${agent.agent_id}) reviewed the question and supports the answer as written.`,
    confidence: steering.confidence ?? 0.8,
    rationale: `Scripted consultation on: ${question.slice(0, 200)}`,
  };
}
