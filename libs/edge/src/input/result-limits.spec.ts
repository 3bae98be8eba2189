import { TaskResultMessage } from '@app/contracts';
import { boundResult } from './result-limits';

describe('boundResult', () => {
  const limits = { resultMaxBytes: 1_000, errorMaxChars: 10 };
  const message = (extra: Partial<TaskResultMessage>): TaskResultMessage => ({
    task_id: '00000000-0000-4000-8000-000000000000',
    attempt: 1,
    agent_id: 'DEV-001',
    status: 'completed',
    started_at: new Date(0).toISOString(),
    completed_at: new Date(0).toISOString(),
    ...extra,
  });

  it('repairs text PostgreSQL cannot store and leaves ordinary results alone', () => {
    expect(boundResult(message({ result: { text: 'a\u0000b\ud800', ok: '😀' } }), limits).result).toEqual({
      text: 'a\uFFFDb\uFFFD',
      ok: '😀',
    });
  });

  it('cuts a long error', () => {
    expect(boundResult(message({ status: 'failed', error: 'x'.repeat(50) }), limits).error).toBe('x'.repeat(10));
  });

  it('fails a task whose result is too large or too deep, saying why', () => {
    const big = boundResult(message({ result: { text: 'x'.repeat(2_000) } }), { ...limits, errorMaxChars: 1_000 });
    expect(big).toMatchObject({ status: 'failed', error: expect.stringMatching(/^result is \d+ bytes/) });
    expect(big.result).toBeUndefined();
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(boundResult(message({ result: { deep } }), limits)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('nested deeper'),
    });
  });
});
