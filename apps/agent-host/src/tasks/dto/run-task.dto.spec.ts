import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { TASK_BUDGET_SCHEMA, TaskExecuteMessage } from '@app/contracts';
import { RunTaskDto } from './run-task.dto';

/** What the validation pipe's class-validator path does with a POST /task body. */
function dtoAccepts(body: object): boolean {
  return validateSync(plainToInstance(RunTaskDto, body), { whitelist: true, forbidNonWhitelisted: true }).length === 0;
}

/** The same budget as the budget of a dispatched attempt (TASK_BUDGET_SCHEMA within task.execute). */
function busAccepts(budget: unknown): boolean {
  const execute = {
    task_id: '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5f',
    attempt: 1,
    agent_id: 'DEV-001',
    title: 't',
    description: '',
    input: {},
    deadline: '2026-12-02T10:00:00.000Z',
    budget,
  };
  return TaskExecuteMessage.schemaCheck(execute);
}

describe('RunTaskDto budget and TASK_BUDGET_SCHEMA', () => {
  it('declare the same properties', () => {
    expect(Object.keys(TASK_BUDGET_SCHEMA.properties).sort()).toEqual(['max_cost_usd', 'max_tokens']);
  });

  it('agree on every budget of numbers, in and out of range', () => {
    const number = fc.oneof(
      fc.integer({ min: -2, max: 10 }),
      fc.double({ noNaN: true }),
      fc.constantFrom(0, 1e-9, Number.MAX_VALUE, Number.POSITIVE_INFINITY, Number.NaN, 1e300),
    );
    fc.assert(
      fc.property(fc.record({ max_tokens: number, max_cost_usd: number }, { requiredKeys: [] }), (budget) => {
        expect([budget, busAccepts(budget)]).toEqual([budget, dtoAccepts({ title: 't', budget })]);
      }),
      { numRuns: 1000 },
    );
  });

  it('agree on wrong types', () => {
    for (const budget of [{ max_tokens: '5' }, { max_cost_usd: '0.5' }, 'x', 5]) {
      expect(busAccepts(budget)).toBe(false);
      expect(dtoAccepts({ title: 't', budget })).toBe(false);
    }
  });
});
