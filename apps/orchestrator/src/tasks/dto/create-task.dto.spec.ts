import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import fc from 'fast-check';
import { TASK_SUBMIT_SCHEMA, taskSubmitCheck } from '@app/contracts';
import { CreateTaskDto } from './create-task.dto';

function classValidatorAccepts(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return (
    validateSync(plainToInstance(CreateTaskDto, value), { whitelist: true, forbidNonWhitelisted: true }).length === 0
  );
}

/** Mostly a valid value, sometimes one of the wrong ones: the accepting side is reached as well. */
function mostly<T>(valid: fc.Arbitrary<T>, ...wrong: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 15 }, ...wrong.map((arbitrary) => ({ arbitrary, weight: 1 })));
}
const intish = (min: number, max: number) =>
  mostly(
    fc.integer({ min, max }),
    fc.constantFrom(min - 1, max + 1),
    fc.double(),
    fc.constant(String(min)),
    fc.constant(null),
  );
const stringish = (max: number) =>
  mostly(
    fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: max - 1, maxLength: max })),
    fc.string({ minLength: max + 1, maxLength: max + 2 }),
    // Characters as class-validator counts them: emoji, variation selectors.
    fc.string({ unit: 'grapheme', minLength: max - 1, maxLength: max + 1 }),
    fc.constantFrom('❤️'.repeat(max), '❤️'.repeat(max + 1), '\uFE0F', '\uFE0F\uFE0F'),
    fc.integer(),
    fc.constant(''),
  );
const budgetish = mostly(
  fc.record(
    {
      max_tokens: fc.integer({ min: 1, max: 1_000_000_000 }),
      max_cost_usd: fc.double({ min: 0.001, max: 1_000_000, noNaN: true }),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      max_tokens: intish(1, 1_000_000_000),
      max_cost_usd: fc.constantFrom(0, -1, 1_000_001, Infinity, Number.NaN, '1', null),
    },
    { requiredKeys: [] },
  ),
  fc.record({ max_tokens: fc.constant(5), extra: fc.nat() }),
  fc.constantFrom([], 'x', 1),
);

const bodyish = fc.record(
  {
    title: stringish(500),
    description: stringish(20_000),
    input: mostly(fc.object(), fc.array(fc.integer()), fc.string(), fc.constant(null)),
    agent_id: mostly(fc.constant('DEV-001'), fc.constantFrom('dev-001', 'DEV-01'), fc.string()),
    role: mostly(fc.constant('backend_dev'), fc.constantFrom('Backend', '1dev', 'a'.repeat(51)), fc.string()),
    capability: mostly(fc.constant('api_design'), fc.constantFrom('API', 'a'.repeat(101)), fc.string()),
    min_proficiency: intish(1, 10),
    priority: intish(-1000, 1000),
    timeout_seconds: intish(1, 86_400),
    max_attempts: intish(1, 20),
    queue_timeout_seconds: intish(1, 604_800),
    heartbeat_timeout_seconds: intish(1, 86_400),
    idempotency_key: stringish(200),
    budget: budgetish,
  },
  { requiredKeys: ['title'] },
);
// Now and then an unknown key (the pipe forbids them).
const withExtra = fc.tuple(
  bodyish,
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 8 },
    { arbitrary: fc.record({ unknown_field: fc.anything() }), weight: 1 },
  ),
);

describe('CreateTaskDto.fastCheck (TASK_SUBMIT_SCHEMA compiled)', () => {
  it('is the contract of @app/contracts', () => {
    expect(CreateTaskDto.fastCheck).toBe(taskSubmitCheck);
    expect(taskSubmitCheck.schema).toBe(TASK_SUBMIT_SCHEMA);
  });

  it('and the DTO declare the same properties, and the same one required', () => {
    const validated = getMetadataStorage()
      .getTargetValidationMetadatas(CreateTaskDto, '', true, false)
      .map((m) => m.propertyName);
    expect([...new Set(validated)].sort()).toEqual(Object.keys(TASK_SUBMIT_SCHEMA.properties).sort());
    expect(TASK_SUBMIT_SCHEMA.required).toEqual(['title']);
    expect(classValidatorAccepts({ title: 't' })).toBe(true);
    expect(classValidatorAccepts({})).toBe(false);
  });

  it('refuses, like class-validator, the hostile bodies', () => {
    const hostile: unknown[] = [
      {},
      { title: '' },
      { title: 7 },
      { title: 'x'.repeat(501) },
      { title: '😀'.repeat(501) },
      { title: 't', extra: 1 },
      { title: 't', __proto__x: 1 },
      { title: 't', input: [] },
      { title: 't', priority: 1001 },
      { title: 't', priority: 1.5 },
      JSON.parse('{"title":"t","max_attempts":1e400}'),
      { title: 't', agent_id: 'dev-001' },
      { title: 't', role: 'Backend' },
      { title: 't', idempotency_key: '' },
      { title: 't', budget: { max_cost_usd: 0 } },
      { title: 't', budget: { max_tokens: 1e10 } },
      { title: 't', budget: { max_tokens: 5, extra: 1 } },
      JSON.parse('{"title":"t","budget":{"max_cost_usd":1e400}}'),
      // A null limit would stop the task at its first model call; an array is no budget.
      { title: 't', budget: { max_tokens: null } },
      { title: 't', budget: { max_cost_usd: null } },
      { title: 't', budget: [] },
    ];
    for (const body of hostile) {
      expect([body, CreateTaskDto.fastCheck(body)]).toEqual([body, false]);
      expect([body, classValidatorAccepts(body)]).toEqual([body, false]);
    }
    // Where class-validator's path is looser the schema still refuses (the body then takes that path, as before): a
    // `constructor` key (dropped silently).
    for (const body of [{ title: 't', constructor: {} }]) {
      expect([body, CreateTaskDto.fastCheck(body)]).toEqual([body, false]);
      expect([body, classValidatorAccepts(body)]).toEqual([body, true]);
    }
  });

  it('never accepts a body class-validator rejects', () => {
    let taken = 0;
    fc.assert(
      fc.property(withExtra, ([fields, more]) => {
        const body = { ...fields, ...more };
        if (!CreateTaskDto.fastCheck(body)) return;
        taken += 1;
        expect(classValidatorAccepts(body)).toBe(true);
      }),
      { numRuns: 1500 },
    );
    // The generators reach the accepting side too, or the property would hold vacuously.
    expect(taken).toBeGreaterThan(20);
  });

  it('takes the usual submissions', () => {
    expect(CreateTaskDto.fastCheck({ title: 'Design the login API', role: 'backend_dev', timeout_seconds: 120 })).toBe(
      true,
    );
    expect(
      CreateTaskDto.fastCheck({
        title: 't',
        agent_id: 'DEV-001',
        input: { a: 1 },
        priority: -3,
        idempotency_key: 'k-1',
      }),
    ).toBe(true);
  });

  it('leaves doubtful bodies to class-validator, which names the field', () => {
    expect(CreateTaskDto.fastCheck({ title: '' })).toBe(false);
    expect(CreateTaskDto.fastCheck({ title: 't', role: null })).toBe(false);
    expect(CreateTaskDto.fastCheck({ title: 't', extra: 1 })).toBe(false);
  });
});
