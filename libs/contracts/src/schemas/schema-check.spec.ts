import { length } from 'class-validator';
import fc from 'fast-check';
import { AgentMessagePayload } from '../agent-messages';
import { TaskExecuteMessage, TaskResultMessage, TaskStartedMessage } from '../task-messages';
import { taskSubmitCheck } from '../task-submit';
import { charLength } from './schema-check';

// Hostile inputs for the compiled validators, as they arrive: JSON.parse of what a peer or a client wrote.
const result = {
  task_id: '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5f',
  attempt: 1,
  agent_id: 'DEV-001',
  status: 'completed',
  started_at: '2026-12-02T10:00:00.000Z',
  completed_at: '2026-12-02T10:00:01.000Z',
};
const parsed = (json: string): unknown => JSON.parse(json);
const with_ = (extra: string) => parsed(`${JSON.stringify(result).slice(0, -1)},${extra}}`);
const fields = (check: { issues(v: unknown): { field: string }[] }, value: unknown) =>
  check.issues(value).map((i) => i.field);

describe('compiled message validators against hostile input', () => {
  it('take the valid message and refuse the wrong type of every field, naming each', () => {
    expect(TaskResultMessage.schemaCheck(result)).toBe(true);
    const wrong = { task_id: 1, attempt: '1', agent_id: ['DEV-001'], status: true, started_at: {}, completed_at: 0 };
    expect(TaskResultMessage.schemaCheck(wrong)).toBe(false);
    // One entry per failed rule (status: not a string, and not an outcome), as class-validator listed them.
    expect([...new Set(fields(TaskResultMessage.schemaCheck, wrong))].sort()).toEqual(Object.keys(wrong).sort());
    expect(TaskResultMessage.schemaCheck.issues(wrong)).toContainEqual({
      field: 'attempt',
      message: 'attempt must be an integer number',
    });
  });

  it('name every missing required field', () => {
    expect(fields(TaskStartedMessage.schemaCheck, {}).sort()).toEqual(['agent_id', 'attempt', 'started_at', 'task_id']);
    expect(TaskStartedMessage.schemaCheck.issues({})).toContainEqual({
      field: 'task_id',
      message: 'task_id is required',
    });
  });

  it('refuse unknown keys, nested ones too, where the pipe forbids them', () => {
    expect(fields(TaskResultMessage.schemaCheck, with_('"colour":"red"'))).toEqual(['colour']);
    const nested = with_('"usage":{"input_tokens":1,"output_tokens":2,"extra":{"deeper":{"x":1}}}');
    expect(TaskResultMessage.schemaCheck.issues(nested)).toEqual([
      { field: 'usage.extra', message: 'usage.extra should not exist' },
    ]);
  });

  it('refuse prototype keys as unknown, and are not fooled by them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const value = with_(`"${key}":{"task_id":"x","polluted":true}`);
      expect(Object.prototype.hasOwnProperty.call(value, key)).toBe(true);
      expect(fields(TaskResultMessage.schemaCheck, value)).toEqual([key]);
    }
    // A __proto__ key can not supply a missing field.
    const { task_id: _, ...noId } = result;
    const sneaky = parsed(`${JSON.stringify(noId).slice(0, -1)},"__proto__":{"task_id":"${result.task_id}"}}`);
    expect(fields(TaskResultMessage.schemaCheck, sneaky).sort()).toEqual(['__proto__', 'task_id']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuse bad UUIDs and agent ids', () => {
    for (const task_id of [
      '',
      'not-a-uuid',
      '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5',
      `${result.task_id}x`,
      ` ${result.task_id}`,
    ]) {
      expect(TaskResultMessage.schemaCheck.issues({ ...result, task_id })).toEqual([
        { field: 'task_id', message: 'task_id must be a UUID' },
      ]);
    }
    expect(TaskResultMessage.schemaCheck({ ...result, task_id: result.task_id.toUpperCase() })).toBe(true);
    for (const agent_id of ['dev-001', 'DEV-1', 'DEV-001\n', 'A'.repeat(17) + '-001'])
      expect(fields(TaskResultMessage.schemaCheck, { ...result, agent_id })).toEqual(['agent_id']);
  });

  it('refuse instants outside the narrow ISO 8601 form', () => {
    for (const started_at of [
      '2026-12-02',
      '2026-12-02T10:00:00',
      '2026-13-02T10:00:00Z',
      '2026-12-02T10:00:00Z\n',
      'yesterday',
    ])
      expect(TaskResultMessage.schemaCheck.issues({ ...result, started_at })).toEqual([
        { field: 'started_at', message: 'started_at must be a valid ISO 8601 date string' },
      ]);
  });

  it('refuse numbers out of range, non-integers and what JSON turns into Infinity', () => {
    expect(fields(TaskResultMessage.schemaCheck, { ...result, attempt: 0 })).toEqual(['attempt']);
    expect(fields(TaskResultMessage.schemaCheck, { ...result, attempt: 1.5 })).toEqual(['attempt']);
    expect(fields(TaskResultMessage.schemaCheck, { ...result, cost_usd: -0.01 })).toEqual(['cost_usd']);
    const huge = with_('"cost_usd":1e400,"usage":{"input_tokens":1e400,"output_tokens":-1}');
    expect(fields(TaskResultMessage.schemaCheck, huge).sort()).toEqual([
      'cost_usd',
      'usage.input_tokens',
      'usage.output_tokens',
    ]);
    expect(TaskResultMessage.schemaCheck({ ...result, cost_usd: Number.NaN })).toBe(false);
    const execute = { ...result, title: 't', description: '', input: {}, deadline: result.started_at };
    expect(fields(TaskExecuteMessage.schemaCheck, { ...execute, budget: { max_cost_usd: 0 } })).toEqual([
      'budget.max_cost_usd',
    ]);
    expect(fields(TaskExecuteMessage.schemaCheck, parsed(`{"budget":{"max_cost_usd":1e400}}`))).toContain(
      'budget.max_cost_usd',
    );
  });

  it('bound huge strings, counting characters as class-validator does', () => {
    const submit = (title: string) => taskSubmitCheck({ title });
    expect(submit('x'.repeat(500))).toBe(true);
    expect(submit('x'.repeat(501))).toBe(false);
    expect(submit('x'.repeat(1_000_000))).toBe(false);
    expect(submit('❤️'.repeat(500))).toBe(true); // 1,000 UTF-16 units, 500 characters
    expect(submit('😀'.repeat(501))).toBe(false);
    expect(submit('\uFE0F')).toBe(true);
    expect(submit('')).toBe(false);
    expect(charLength('a\uFE0F😀')).toBe(2);
    expect(taskSubmitCheck.issues({ title: 'x'.repeat(501) })).toEqual([
      { field: 'title', message: 'title must be shorter than or equal to 500 characters' },
    ]);
    const id = { message_id: 'x'.repeat(101), from_agent: 'DEV-001', to_agent: 'ALL', message_type: '' };
    const message = { ...id, payload: {}, sent_at: result.started_at };
    expect(AgentMessagePayload.schemaCheck.issues(message)).toEqual([
      { field: 'message_id', message: 'message_id must be shorter than or equal to 100 characters' },
      { field: 'message_type', message: 'message_type should not be empty' },
    ]);
  });

  it('count characters exactly as class-validator Length/MaxLength do', () => {
    const unit = fc.constantFrom('a', '\uFE0F', '\uFE0E', '\uD83D', '\uDE00', '\uDC00', '\uDBFF', 'é');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (units) => {
        const s = units.join('');
        const n = charLength(s);
        expect(length(s, n, n)).toBe(true);
        expect(length(s, n + 1)).toBe(false);
        // The bound minChars decides most strings by (see schema-check.ts).
        expect(n).toBeGreaterThanOrEqual(Math.ceil(s.length / 3));
      }),
      { numRuns: 3000 },
    );
  });

  it('leave deep free-form objects to the edge (no recursion into result or input)', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(TaskResultMessage.schemaCheck({ ...result, result: deep })).toBe(true);
    expect(fields(TaskResultMessage.schemaCheck, { ...result, result: [deep] })).toEqual(['result']);
  });

  it('refuse enum values by their exact spelling', () => {
    for (const status of ['Completed', 'completed ', 'done', ''])
      expect(TaskResultMessage.schemaCheck.issues({ ...result, status })).toEqual([
        { field: 'status', message: 'status must be one of the following values: completed, failed, canceled' },
      ]);
  });

  it('refuse a non-object message, naming the value', () => {
    for (const value of [null, 1, 'x', [], [result]])
      expect(TaskResultMessage.schemaCheck.issues(value)).toEqual([
        { field: 'value', message: 'value must be an object' },
      ]);
  });
});
