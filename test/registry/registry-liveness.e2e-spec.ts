import { SseReader } from '../support/sse-reader';
import { cleanupRegistryKeys, nextAgentId, registration, RegistryUnderTest, startRegistry } from './registry-test-app';

// The project-level testTimeout is not applied by Jest; TTL waits need more than the 5 s default.
jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = () => nextAgentId('TTL');

/** A short TTL: beats every 1 s, offline after 2 s + 1 s grace, swept every second. */
const SHORT_TTL = {
  HEARTBEAT_INTERVAL_SECONDS: '1',
  HEARTBEAT_TTL_SECONDS: '2',
  HEARTBEAT_GRACE_SECONDS: '1',
  LIVENESS_SWEEP_SECONDS: '1',
};

describe('Registry liveness by TTL and the event stream', () => {
  let registry: RegistryUnderTest;
  let events: SseReader;

  beforeAll(async () => {
    registry = await startRegistry(SHORT_TTL);
    events = new SseReader(`${registry.baseUrl}/api/agents/events`);
    const response = await events.open();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
  });

  afterAll(async () => {
    events?.close();
    await registry?.close();
    if (registry) await cleanupRegistryKeys(registry.prefix);
  });

  const ofAgent = (type: string, agentId: string) => (m: { event: string; data: string }) =>
    m.event === type && (JSON.parse(m.data) as { agent_id: string }).agent_id === agentId;

  it('streams registered, status_changed, load_changed and deregistered events', async () => {
    const agentId = id();
    await registry.call('POST', '/api/agents/register', registration(agentId));
    const registered = JSON.parse((await events.next(ofAgent('registered', agentId))).data);
    expect(registered).toMatchObject({
      type: 'registered',
      agent_id: agentId,
      data: { role: 'backend_dev', re_registered: false },
    });

    await registry.call('POST', `/api/agents/${agentId}/status`, { status: 'busy' });
    const changed = JSON.parse((await events.next(ofAgent('status_changed', agentId))).data);
    expect(changed.data).toMatchObject({ previous: 'online', status: 'busy' });

    await registry.call('POST', `/api/agents/${agentId}/load`, { current_tasks: 2, task_duration_sec: 1.5 });
    const load = JSON.parse((await events.next(ofAgent('load_changed', agentId))).data);
    expect(load.data).toMatchObject({ current_tasks: 2, total_tasks_completed: 1 });

    await registry.call('DELETE', `/api/agents/${agentId}`);
    expect(JSON.parse((await events.next(ofAgent('deregistered', agentId))).data).agent_id).toBe(agentId);
  });

  it('marks a silent agent offline after TTL + grace, and its next heartbeat brings it back', async () => {
    const agentId = id();
    await registry.call('POST', '/api/agents/register', registration(agentId));

    const expired = JSON.parse((await events.next(ofAgent('offline_by_ttl', agentId), 15_000)).data);
    expect(expired.data).toMatchObject({ previous: 'online', status: 'offline' });
    const offline = await registry.call('GET', `/api/agents/${agentId}`);
    expect(offline.body.status).toBe('offline');
    const discovered = await registry.call('GET', '/api/agents/discover/backend_dev');
    expect(discovered.body.agents.map((a: { agent_id: string }) => a.agent_id)).not.toContain(agentId);

    expect((await registry.call('POST', `/api/agents/${agentId}/heartbeat`)).status).toBe(200);
    // The revival is synchronous: the very next read says online.
    expect((await registry.call('GET', `/api/agents/${agentId}`)).body.status).toBe('online');
    const back = JSON.parse((await events.next(ofAgent('status_changed', agentId))).data);
    expect(back.data).toMatchObject({ previous: 'offline', status: 'online', reason: 'heartbeat' });
  });

  it('keeps an agent that beats on its interval online across many sweeps', async () => {
    const agentId = id();
    await registry.call('POST', '/api/agents/register', registration(agentId));
    const statuses: string[] = [];
    for (let i = 0; i < 6; i++) {
      await registry.call('POST', `/api/agents/${agentId}/heartbeat`);
      await sleep(1_000);
      statuses.push((await registry.call('GET', `/api/agents/${agentId}`)).body.status);
    }
    expect(statuses).toEqual(Array(6).fill('online'));
  });
});

describe('Two registry replicas sharing PostgreSQL and Redis', () => {
  let a: RegistryUnderTest;
  let b: RegistryUnderTest;

  beforeAll(async () => {
    a = await startRegistry();
    b = await startRegistry({}, a.prefix);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (a) await cleanupRegistryKeys(a.prefix);
  });

  it('shows a change made on one replica to an SSE watcher on the other', async () => {
    const watcher = new SseReader(`${b.baseUrl}/api/agents/events`);
    await watcher.open();
    try {
      const agentId = id();
      await a.call('POST', '/api/agents/register', registration(agentId));
      const event = JSON.parse((await watcher.next((m) => m.event === 'registered' && m.data.includes(agentId))).data);
      expect(event.origin).not.toBe('');
      expect(event.agent_id).toBe(agentId);
    } finally {
      watcher.close();
    }
  });

  it('updates a discovery answer cached on one replica when an agent beats with new load on the other', async () => {
    const role = `replica_role_${Date.now()}`;
    const agentId = id();
    await a.call('POST', '/api/agents/register', registration(agentId, { role, max_tasks: 2 }));
    expect((await a.call('GET', `/api/agents/discover/${role}`)).body.available_count).toBe(1);
    await b.call('POST', `/api/agents/${agentId}/heartbeat`, { current_tasks: 2 });
    let available = 1;
    for (let i = 0; i < 40 && available !== 0; i++) {
      available = (await a.call('GET', `/api/agents/discover/${role}`)).body.available_count;
      if (available !== 0) await sleep(50);
    }
    expect(available).toBe(0);
  });

  it('keeps each replica’s cached view of an agent correct', async () => {
    const agentId = id();
    await a.call('POST', '/api/agents/register', registration(agentId));
    expect((await b.call('POST', `/api/agents/${agentId}/heartbeat`)).status).toBe(200);

    // Offline set on A: B's next heartbeat must bring it back (B learnt of the change).
    await a.call('POST', `/api/agents/${agentId}/status`, { status: 'offline' });
    let status = '';
    for (let i = 0; i < 20 && status !== 'online'; i++) {
      await b.call('POST', `/api/agents/${agentId}/heartbeat`);
      status = (await a.call('GET', `/api/agents/${agentId}`)).body.status;
      if (status !== 'online') await sleep(50);
    }
    expect(status).toBe('online');

    // Deregistered on A: B answers 404 for its heartbeats.
    await a.call('DELETE', `/api/agents/${agentId}`);
    let code = 0;
    for (let i = 0; i < 20 && code !== 404; i++) {
      code = (await b.call('POST', `/api/agents/${agentId}/heartbeat`)).status;
      if (code !== 404) await sleep(50);
    }
    expect(code).toBe(404);
  });
});
