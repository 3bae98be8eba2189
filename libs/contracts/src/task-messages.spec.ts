import 'reflect-metadata';
import fc from 'fast-check';
import { AgentMessagePayload } from './agent-messages';
import { SchemaCheck, SchemaIssue } from './schemas/schema-check';
import { TaskExecuteMessage, TaskResultMessage, TaskStartedMessage, TaskWaitingMessage } from './task-messages';
import { TaskProgressMessage } from './task-progress';
import {
  LegacyAgentMessage,
  LegacyTaskExecute,
  LegacyTaskProgress,
  LegacyTaskResult,
  LegacyTaskStarted,
  LegacyTaskWaiting,
  legacyRefusals,
} from './testing/legacy-message-rules';

/** Mostly a valid value, sometimes one of the wrong ones: the accepting side is reached as well. */
function mostly<T>(valid: fc.Arbitrary<T>, ...wrong: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 12 }, ...wrong.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

// Values near the edges of every rule: right and wrong types, formats a little off, extra keys.
const uuidish = mostly(
  fc.uuid({ version: 4 }),
  fc.constant('00000000-0000-0000-0000-000000000000'),
  fc.constant('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'),
  fc.string(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}x`),
  fc.integer(),
);
const instantish = mostly(
  fc
    .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-11-27T10:00:00+01:00',
    '2026-11-27T10:00:00.123456Z',
    '2026-02-30T10:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-27',
    '2026-11-27T24:00:00Z',
  ),
  fc.string(),
);
const agentIdish = mostly(
  fc.constantFrom('DEV-001', 'QA-123'),
  fc.constantFrom('dev-001', 'DEV-1', 'DEV-0011'),
  fc.string(),
);
const attemptish = mostly(
  fc.integer({ min: 1, max: 5 }),
  fc.integer({ min: -2, max: 0 }),
  fc.double(),
  fc.constant('1'),
);
const countish = mostly(fc.nat(), fc.integer({ min: -3, max: -1 }), fc.double(), fc.constant('1'));
// Titles and ids near their limits, in characters as class-validator counts them (emoji, variation selectors).
const textish = (max: number) =>
  mostly(
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'grapheme', minLength: max - 2, maxLength: max + 2 }),
    fc.constantFrom('❤️'.repeat(max), '❤️'.repeat(max + 1), 'x'.repeat(max + 1), '\uFE0F', ''),
    fc.integer(),
  );
// Now and then an unknown key (the pipe forbids them); 'task_id' there just repeats a field.
const extra = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  {
    arbitrary: fc.dictionary(
      fc.constantFrom('foo', 'task_id', '__proto__x', '__proto__', 'constructor'),
      fc.anything(),
    ),
    weight: 1,
  },
);
const ids = { task_id: uuidish, attempt: attemptish, agent_id: agentIdish };
const idKeys = ['task_id', 'attempt', 'agent_id'] as const;

const startedish = fc.record({ ...ids, started_at: instantish }, { requiredKeys: [...idKeys] });
const progressish = fc.record(ids, { requiredKeys: ['task_id', 'agent_id'] });
const waitingish = fc.record({ ...ids, wait_ms: countish }, { requiredKeys: [...idKeys] });
const resultish = fc.record(
  {
    ...ids,
    status: mostly(fc.constantFrom('completed', 'failed', 'canceled'), fc.constantFrom('done', '')),
    result: mostly(fc.object(), fc.constant(null), fc.array(fc.integer()), fc.string()),
    error: mostly(fc.string(), fc.integer(), fc.constant(null)),
    started_at: instantish,
    completed_at: instantish,
    model: mostly(fc.string(), fc.integer()),
    usage: mostly(
      fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat() }),
      fc.record(
        { input_tokens: countish, output_tokens: countish, cached_input_tokens: countish },
        { requiredKeys: [] },
      ),
      fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat(), extra: fc.nat() }),
      fc.constant(null),
    ),
    cost_usd: mostly(fc.double({ min: 0, max: 100, noNaN: true }), fc.constantFrom(-1, Infinity, '0.1')),
  },
  { requiredKeys: [...idKeys, 'status', 'started_at', 'completed_at'] },
);
const executeish = fc.record(
  {
    ...ids,
    title: textish(500),
    description: mostly(fc.string(), fc.integer()),
    input: mostly(fc.object(), fc.array(fc.integer()), fc.constant(null)),
    deadline: instantish,
    timeout_seconds: mostly(fc.integer({ min: 1, max: 600 }), countish),
    heartbeat_seconds: mostly(fc.integer({ min: 1, max: 60 }), countish),
    workflow_run_id: uuidish,
    step_id: mostly(fc.string(), fc.integer()),
    budget: mostly(
      fc.record(
        {
          max_tokens: fc.integer({ min: 1, max: 10_000 }),
          max_cost_usd: fc.double({ min: 0.01, max: 5, noNaN: true }),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        { max_tokens: countish, max_cost_usd: fc.constantFrom(0, -1, Infinity, 'x', null) },
        { requiredKeys: [] },
      ),
      fc.constant([]),
    ),
  },
  { requiredKeys: [...idKeys, 'title', 'description', 'input', 'deadline'] },
);
const agentMessageish = fc.record(
  {
    message_id: textish(100),
    from_agent: agentIdish,
    to_agent: fc.oneof(agentIdish, fc.constantFrom('ALL', 'all', 'ALL-001')),
    message_type: textish(100),
    payload: mostly(fc.object(), fc.array(fc.integer()), fc.string()),
    sent_at: instantish,
    expects_reply: mostly(fc.boolean(), fc.constantFrom('true', 1)),
    correlation_id: textish(200),
  },
  { requiredKeys: ['message_id', 'from_agent', 'to_agent', 'message_type', 'payload', 'sent_at'] },
);

/**
 * What a schema may refuse that class-validator took (decision 0167): an instant outside the narrow form every
 * process writes, a `__proto__` or `constructor` key (class-transformer dropped them silently), an array as a
 * nested message (ValidateNested validated its items instead), null in a nested optional field (only top-level
 * null means absent).
 */
const narrowed = ({ field, message }: SchemaIssue, value: Record<string, unknown>): boolean =>
  message.endsWith('must be a valid ISO 8601 date string') ||
  (field.includes('.') && at(value, field) === null) ||
  (/(^|\.)(__proto__|constructor)$/.test(field) && message.endsWith('should not exist')) ||
  (['budget', 'usage'].includes(field) && message.endsWith('must be an object'));

const at = (value: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);

/**
 * The schema never accepts what class-validator refused, names every field class-validator refused, and refuses
 * nothing class-validator accepted except where decision 0167 narrowed it.
 */
function agreesWithLegacy<T>(
  name: string,
  check: SchemaCheck<T>,
  legacy: new () => object,
  mode: 'pipe' | 'open',
  values: fc.Arbitrary<Record<string, unknown>>,
): void {
  it(name, () => {
    let accepted = 0;
    fc.assert(
      fc.property(values, extra, (v, more) => {
        const value = Object.fromEntries(Object.entries({ ...v, ...more }).filter(([, x]) => x !== null));
        const refused = legacyRefusals(legacy, value, mode) ?? [];
        if (check(value)) {
          accepted += 1;
          expect(refused).toEqual([]);
          return;
        }
        const issues = check.issues(value);
        expect(issues.length).toBeGreaterThan(0);
        const named = new Set(issues.map((i) => i.field));
        for (const field of refused) expect(named).toContain(field);
        for (const issue of issues) if (!refused.includes(issue.field)) expect(narrowed(issue, value)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // The generators reach the accepting side too, or the property would hold vacuously.
    expect(accepted).toBeGreaterThan(20);
  });
}

describe('each bus message schema against the class-validator rules it replaced', () => {
  agreesWithLegacy('task.started', TaskStartedMessage.schemaCheck, LegacyTaskStarted, 'pipe', startedish);
  agreesWithLegacy('task.progress', TaskProgressMessage.schemaCheck, LegacyTaskProgress, 'pipe', progressish);
  agreesWithLegacy('task.waiting_for_model', TaskWaitingMessage.schemaCheck, LegacyTaskWaiting, 'pipe', waitingish);
  agreesWithLegacy('task.result', TaskResultMessage.schemaCheck, LegacyTaskResult, 'pipe', resultish);
  agreesWithLegacy('task.execute', TaskExecuteMessage.schemaCheck, LegacyTaskExecute, 'open', executeish);
  agreesWithLegacy('agent.message', AgentMessagePayload.schemaCheck, LegacyAgentMessage, 'open', agentMessageish);

  it('refuses non-objects', () => {
    for (const v of [null, undefined, 1, 'x', [], [{}]]) {
      expect(TaskStartedMessage.schemaCheck(v)).toBe(false);
      expect(TaskResultMessage.schemaCheck(v)).toBe(false);
      expect(TaskExecuteMessage.schemaCheck(v)).toBe(false);
    }
  });
});

describe('the schemas take the messages agent hosts send', () => {
  const base = {
    task_id: '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5f',
    attempt: 1,
    agent_id: 'DEV-001',
    started_at: new Date().toISOString(),
  };

  it('a started message', () => {
    expect(TaskStartedMessage.schemaCheck(base)).toBe(true);
  });

  it('a result with output, model and usage, and a failure with its error', () => {
    const done = { ...base, status: 'completed', result: { kind: 'plan' }, completed_at: new Date().toISOString() };
    expect(
      TaskResultMessage.schemaCheck({ ...done, model: 'scripted', usage: { input_tokens: 3, output_tokens: 5 } }),
    ).toBe(true);
    expect(TaskResultMessage.schemaCheck({ ...done, status: 'failed', result: undefined, error: 'boom' })).toBe(true);
  });

  it('refuses a doubtful message naming the field, as class-validator did', () => {
    expect(TaskStartedMessage.schemaCheck.issues({ ...base, attempt: 0 })).toEqual([
      { field: 'attempt', message: 'attempt must not be less than 1' },
    ]);
    expect(TaskStartedMessage.schemaCheck.issues({ ...base, extra: 1 })).toEqual([
      { field: 'extra', message: 'extra should not exist' },
    ]);
    expect(legacyRefusals(LegacyTaskStarted, { ...base, attempt: 0 }, 'pipe')).toEqual(['attempt']);
  });

  it('a task.execute from a newer orchestrator, with a field this host does not know', () => {
    const execute = {
      ...base,
      title: 't',
      description: '',
      input: {},
      deadline: base.started_at,
      budget: { max_tokens: 10, currency: 'EUR' },
      priority_hint: 3,
    };
    expect(TaskExecuteMessage.schemaCheck(execute)).toBe(true);
  });
});
