import { call, TestSystem } from '../orchestrator/support/system';
import { expectUniformError } from './raw-http';

jest.setTimeout(120_000);

/** Regression tests for issue 12 at the agent host's HTTP API (found by the fuzz suite). */
describe('hostile input at the agent host', () => {
  const system = new TestSystem();

  beforeAll(async () => {
    await system.start({ inProcessOrchestrator: false });
    await system.addHost('QA-003', { SCRIPTED_LATENCY_MS: '500' });
  });

  afterAll(async () => {
    await system.stop();
  });

  it('answers the same task_id sent twice at once with 409 naming task_id, not 500', async () => {
    const body = { task_id: '00000000-0000-4000-8000-00000000abcd', title: 'twice', input: {} };
    const replies = await Promise.all([1, 2, 3].map(() => call(system.hosts[0].baseUrl, 'POST', '/task', body)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThanOrEqual(1);
    const conflict = replies.find((r) => r.status === 409)!;
    expectUniformError(conflict.body, 409, /^task_id: /);
  });

  it('refuses NUL in a task title and a 5,000-deep body with 400', async () => {
    const nul = await call(system.hosts[0].baseUrl, 'POST', '/task', { title: 'a\u0000', input: {} });
    expectUniformError(nul.body, 400, 'title');
    const deep = await call(system.hosts[0].baseUrl, 'POST', '/task', `{"title":"t","input":${'['.repeat(5000)}`);
    expectUniformError(deep.body, 400, /^body: /);
  });
});
