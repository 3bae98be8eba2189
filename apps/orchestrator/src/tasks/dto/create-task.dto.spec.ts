import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
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
    fc.integer(),
    fc.constant(''),
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
    idempotency_key: stringish(200),
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

describe('CreateTaskDto.fastCheck', () => {
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
