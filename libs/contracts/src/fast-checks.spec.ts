import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { TaskResultMessage, TaskStartedMessage } from './task-messages';

/** What the validation pipe runs on the slow path (whitelist + forbidNonWhitelisted). */
function classValidatorAccepts(type: new () => object, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const instance = plainToInstance(type, value);
  return validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }).length === 0;
}

/** Mostly a valid value, sometimes one of the wrong ones: the accepting side is reached as well. */
function mostly<T>(valid: fc.Arbitrary<T>, ...wrong: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 12 }, ...wrong.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

// Values near the edges of every rule: right and wrong types, formats a little off, extra keys.
const uuidish = mostly(
  fc.uuid({ version: 4 }),
  fc.constant('00000000-0000-0000-0000-000000000000'),
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
const agentIdish = fc.oneof(fc.constantFrom('DEV-001', 'QA-123', 'dev-001', 'DEV-1', 'DEV-0011'), fc.string());
const attemptish = fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.constant('1'));
// Now and then an unknown key (the pipe forbids them); 'task_id' there just repeats a field.
const extra = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  { arbitrary: fc.dictionary(fc.constantFrom('foo', 'task_id', '__proto__x'), fc.anything()), weight: 1 },
);

const startedish = fc.record(
  { task_id: uuidish, attempt: attemptish, agent_id: agentIdish, started_at: instantish },
  // Most messages carry every field; some lack one.
  { requiredKeys: ['task_id', 'attempt', 'agent_id'] },
);
const resultish = fc.record(
  {
    task_id: uuidish,
    attempt: attemptish,
    agent_id: agentIdish,
    status: mostly(fc.constantFrom('completed', 'failed', 'canceled'), fc.constantFrom('done', '')),
    result: mostly(fc.object(), fc.constant(null), fc.array(fc.integer()), fc.string()),
    error: mostly(fc.string(), fc.integer(), fc.constant(null)),
    started_at: instantish,
    completed_at: instantish,
    model: mostly(fc.string(), fc.integer()),
    usage: mostly(
      fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat() }),
      fc.record({ input_tokens: attemptish, output_tokens: attemptish }, { requiredKeys: [] }),
      fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat(), extra: fc.nat() }),
      fc.constant(null),
    ),
  },
  { requiredKeys: ['task_id', 'attempt', 'agent_id', 'status', 'started_at', 'completed_at'] },
);

describe('fast checks never accept what class-validator rejects', () => {
  it('TaskStartedMessage', () => {
    let taken = 0;
    fc.assert(
      fc.property(startedish, extra, (v, more) => {
        const value = { ...v, ...more };
        if (!TaskStartedMessage.fastCheck(value)) return;
        taken += 1;
        expect(classValidatorAccepts(TaskStartedMessage, value)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // The generators reach the accepting side too, or the property would hold vacuously.
    expect(taken).toBeGreaterThan(20);
  });

  it('TaskResultMessage', () => {
    let taken = 0;
    fc.assert(
      fc.property(resultish, extra, (v, more) => {
        const value = { ...v, ...more };
        if (!TaskResultMessage.fastCheck(value)) return;
        taken += 1;
        expect(classValidatorAccepts(TaskResultMessage, value)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // The generators reach the accepting side too, or the property would hold vacuously.
    expect(taken).toBeGreaterThan(20);
  });

  it('non-objects', () => {
    for (const v of [null, undefined, 1, 'x', [], [{}]]) {
      expect(TaskStartedMessage.fastCheck(v)).toBe(false);
      expect(TaskResultMessage.fastCheck(v)).toBe(false);
    }
  });
});

describe('fast checks take the messages agent hosts send', () => {
  const base = {
    task_id: '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5f',
    attempt: 1,
    agent_id: 'DEV-001',
    started_at: new Date().toISOString(),
  };

  it('a started message', () => {
    expect(TaskStartedMessage.fastCheck(base)).toBe(true);
  });

  it('a result with output, model and usage, and a failure with its error', () => {
    const done = { ...base, status: 'completed', result: { kind: 'plan' }, completed_at: new Date().toISOString() };
    expect(
      TaskResultMessage.fastCheck({ ...done, model: 'scripted', usage: { input_tokens: 3, output_tokens: 5 } }),
    ).toBe(true);
    expect(TaskResultMessage.fastCheck({ ...done, status: 'failed', result: undefined, error: 'boom' })).toBe(true);
  });

  it('leaves a doubtful message to class-validator (which then names the field)', () => {
    expect(TaskStartedMessage.fastCheck({ ...base, attempt: 0 })).toBe(false);
    expect(TaskStartedMessage.fastCheck({ ...base, extra: 1 })).toBe(false);
    expect(classValidatorAccepts(TaskStartedMessage, { ...base, attempt: 0 })).toBe(false);
  });
});
