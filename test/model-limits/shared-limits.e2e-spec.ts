import { AGENT_CATALOG } from '@app/agents';
import { call } from '../support/http-client';
import { Json, TestSystem } from '../orchestrator/support/system';

jest.setTimeout(240_000);

const RPM = 60;
const TASKS = 75;

/**
 * Three agent hosts share one model limit of 60 calls a minute through Redis; the scripted provider itself answers
 * 429 beyond 60 calls in any minute (SCRIPTED_RPM, counted across the hosts like a real provider would). 75 one-call
 * tasks: 60 run at once, 15 wait for the window, none reaches the provider over its limit, none fails.
 */
describe('model limits shared by all agent hosts (3 hosts, 60 RPM, Redis)', () => {
  const system = new TestSystem();
  const agents = AGENT_CATALOG.filter((a) => a.agent_id.startsWith('DEV-'))
    .slice(0, 9)
    .map((a) => a.agent_id);

  beforeAll(async () => {
    await system.start();
    for (let h = 0; h < 3; h++) {
      await system.addHost(agents.slice(h * 3, h * 3 + 3).join(','), {
        MODEL_RPM: String(RPM),
        SCRIPTED_RPM: String(RPM),
        MODEL_LIMIT_MAX_WAIT_MS: '150000',
      });
    }
    await system.agentsOnline(agents);
  });

  afterAll(async () => {
    await system.stop();
  });

  it('keeps the aggregate rate at or under the limit: calls wait instead of failing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const r = await system.call('POST', '/api/tasks', {
        title: `Limited call ${i}`,
        agent_id: agents[i % agents.length],
        timeout_seconds: 600,
      });
      expect(r.status).toBe(202);
      ids.push(r.body.task_id);
    }
    const tasks: Json[] = [];
    for (const id of ids) tasks.push(await system.waitTask(id, ['completed', 'failed', 'canceled'], 200_000));
    expect(tasks.filter((t) => t.status !== 'completed').map((t) => t.error)).toEqual([]);
    expect(tasks.every((t) => t.attempts.length === 1)).toBe(true);

    // Model calls finish right after the limiter admits them (scripted, no latency): no 61 of them in any minute.
    const done = tasks.map((t) => Date.parse(t.completed_at)).sort((a, b) => a - b);
    for (let i = 0; i + RPM < done.length; i++) expect(done[i + RPM] - done[i]).toBeGreaterThanOrEqual(60_000);
    expect(done[done.length - 1] - done[0]).toBeGreaterThanOrEqual(60_000);

    // The tasks that waited say so in their history.
    const waited = tasks.filter((t) => t.history.some((e: Json) => e.type === 'waiting_for_model'));
    expect(waited.length).toBeGreaterThanOrEqual(TASKS - RPM);
    expect(waited[0].history.find((e: Json) => e.type === 'waiting_for_model').detail.wait_ms).toBeGreaterThan(0);

    // Waits were counted, the provider never had to say 429.
    const metrics = await Promise.all(system.hosts.map((h) => call(h.baseUrl, 'GET', '/metrics')));
    const sum = (name: string) =>
      metrics
        .flatMap((m) => m.text.split('\n'))
        .filter((l) => l.startsWith(name))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(sum('agent_model_limit_wait_seconds_count{')).toBeGreaterThanOrEqual(TASKS - RPM);
    expect(sum('agent_model_throttled_total{')).toBe(0);
  });
});
