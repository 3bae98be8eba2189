import { Reply, TestSystem } from '../orchestrator/support/system';

jest.setTimeout(180_000);

/**
 * Issue 12: GET /api/workflows/runs/{id} and POST .../cancel answered 500 now and then under fuzz load. A change to
 * a run held its pooled connection inside a transaction while it asked the pool for a second one (the run's spent
 * budget, the definition's engine): with as many changes in flight as connections, each waited for the others
 * until the pool's connection timeout, and every request behind them failed with it. Two connections make that
 * certain instead of rare.
 */
describe('workflow runs under concurrent reads and changes with a pool of two connections', () => {
  const system = new TestSystem();

  beforeAll(async () => {
    // No agent hosts: the runs' tasks stay pending, so the runs stay running until canceled.
    await system.start({ orchestratorEnv: { DATABASE_POOL_SIZE: '2' } });
  });

  afterAll(async () => {
    await system.stop();
  });

  const startRun = async (budget?: Record<string, number>): Promise<string> => {
    const r = await system.call('POST', '/api/workflows/mcq_generation/runs', {
      input: { topics: ['Cardiology: atrial fibrillation', 'Nephrology: hyperkalemia'] },
      ...(budget ? { budget } : {}),
    });
    expect(r.status).toBe(202);
    return r.body.run_id as string;
  };

  it('answers every GET, cancel and resume without a 5xx, and every run ends canceled', async () => {
    const runs: string[] = [];
    // Half with a budget (the change reads what the run spent), half without.
    for (let i = 0; i < 8; i++) runs.push(await startRun(i % 2 === 0 ? { max_cost_usd: 100 } : undefined));
    const requests: Promise<Reply>[] = [];
    for (const id of runs) {
      for (let i = 0; i < 4; i++) requests.push(system.call('GET', `/api/workflows/runs/${id}`));
      for (let i = 0; i < 3; i++) requests.push(system.call('POST', `/api/workflows/runs/${id}/cancel`));
      for (let i = 0; i < 2; i++)
        requests.push(system.call('POST', `/api/workflows/runs/${id}/resume`, { decision: 'approve' }));
    }
    const replies = await Promise.all(requests);
    const serverErrors = replies.filter((r) => r.status >= 500).map((r) => `${r.status} ${JSON.stringify(r.body)}`);
    expect(serverErrors).toEqual([]);
    // Only answers a client can act on: the run (200/202), or it is not waiting for a decision (409).
    expect([...new Set(replies.map((r) => r.status))].sort()).toEqual(expect.arrayContaining([200, 202]));
    for (const r of replies) expect([200, 202, 409]).toContain(r.status);
    for (const id of runs) {
      const run = await system.call('GET', `/api/workflows/runs/${id}`);
      expect(run.body.status).toBe('canceled');
    }
  });
});
