import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/test-env';
import { cleanupRegistryKeys, nextAgentId, registration, RegistryUnderTest, startRegistry } from './registry-test-app';

// The project-level testTimeout is not applied by Jest; TTL waits need more than the 5 s default.
jest.setTimeout(30_000);

const id = () => nextAgentId('API');

describe('Registry API (real PostgreSQL and Redis)', () => {
  let registry: RegistryUnderTest;
  let db: Client;

  beforeAll(async () => {
    registry = await startRegistry();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await registry?.close();
    await db?.end();
    if (registry) await cleanupRegistryKeys(registry.prefix);
  });

  const register = async (agentId: string, overrides: Record<string, unknown> = {}) => {
    const res = await registry.call('POST', '/api/agents/register', registration(agentId, overrides));
    expect(res.status).toBe(200);
    return res;
  };

  describe('register and get', () => {
    it('registers an agent and returns it with capabilities and load', async () => {
      const agentId = id();
      const res = await register(agentId, { max_tasks: 5 });
      expect(res.body).toEqual({ status: 'registered', agent_id: agentId });

      const got = await registry.call('GET', `/api/agents/${agentId}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        agent_id: agentId,
        name: `Agent ${agentId}`,
        role: 'backend_dev',
        status: 'online',
        host: 'localhost',
        port: 6001,
        metadata: { technologies: ['NestJS'] },
        capabilities: [{ capability: 'nestjs', proficiency_level: 8 }],
        load: {
          current_tasks: 0,
          max_tasks: 5,
          load_percentage: 0,
          avg_task_duration_sec: null,
          total_tasks_completed: 0,
        },
      });
      expect(Date.parse(got.body.last_heartbeat)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('re-registration replaces host, port, metadata and capabilities', async () => {
      const agentId = id();
      await register(agentId, {
        capabilities: [
          { capability: 'nestjs', proficiency_level: 8 },
          { capability: 'sql', proficiency_level: 5 },
        ],
      });
      await register(agentId, {
        host: 'agent-host-2',
        port: 7002,
        metadata: { version: 2 },
        capabilities: [{ capability: 'kafka', proficiency_level: 9 }],
      });
      const got = await registry.call('GET', `/api/agents/${agentId}`);
      expect(got.body).toMatchObject({ host: 'agent-host-2', port: 7002, metadata: { version: 2 } });
      expect(got.body.capabilities).toEqual([{ capability: 'kafka', proficiency_level: 9 }]);
      const rows = await db.query('SELECT capability FROM agent_capabilities WHERE agent_id = $1', [agentId]);
      expect(rows.rows).toEqual([{ capability: 'kafka' }]);
    });

    it('keeps an injection-looking metadata value as plain data', async () => {
      const agentId = id();
      await register(agentId, { name: "Robert'); DROP TABLE agent_registry;--", metadata: { note: "' OR 1=1 --" } });
      const got = await registry.call('GET', `/api/agents/${agentId}`);
      expect(got.body.name).toBe("Robert'); DROP TABLE agent_registry;--");
      expect(got.body.metadata).toEqual({ note: "' OR 1=1 --" });
    });
  });

  describe('list', () => {
    it('filters by role, status and capability with limit, offset and total', async () => {
      const role = `list_role_${Date.now()}`;
      const ids = [id(), id(), id()];
      await register(ids[0], { role, capabilities: [{ capability: 'graphql', proficiency_level: 7 }] });
      await register(ids[1], { role, capabilities: [] });
      await register(ids[2], { role });
      await registry.call('POST', `/api/agents/${ids[2]}/status`, { status: 'busy' });

      const all = await registry.call('GET', `/api/agents?role=${role}`);
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(3);
      expect(all.body.agents.map((a: { agent_id: string }) => a.agent_id)).toEqual([...ids].sort());

      const busy = await registry.call('GET', `/api/agents?role=${role}&status=busy`);
      expect(busy.body.agents.map((a: { agent_id: string }) => a.agent_id)).toEqual([ids[2]]);

      const graphql = await registry.call('GET', `/api/agents?role=${role}&capability=graphql`);
      expect(graphql.body).toMatchObject({ total: 1, agents: [{ agent_id: ids[0] }] });

      const page = await registry.call('GET', `/api/agents?role=${role}&limit=1&offset=1`);
      expect(page.body.total).toBe(3);
      expect(page.body.agents).toHaveLength(1);
      expect(page.body.agents[0].agent_id).toBe([...ids].sort()[1]);
    });

    it('treats injection-looking filter values as plain data', async () => {
      const res = await registry.call('GET', `/api/agents?capability=${encodeURIComponent("x' OR '1'='1")}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ agents: [], total: 0 });
      const discover = await registry.call(
        'GET',
        `/api/agents/discover?capability=${encodeURIComponent("'; DELETE FROM agent_registry; --")}`,
      );
      expect(discover.status).toBe(200);
      expect(discover.body).toEqual({ agents: [], available_count: 0 });
      const count = await db.query('SELECT count(*)::int AS n FROM agent_registry');
      expect(count.rows[0].n).toBeGreaterThan(0);
    });
  });

  describe('heartbeat', () => {
    it('answers ok and is visible in GET at once, before any flush, with the load it reported', async () => {
      const agentId = id();
      await register(agentId, { max_tasks: 4 });
      const before = Date.now();
      const beat = await registry.call('POST', `/api/agents/${agentId}/heartbeat`, { current_tasks: 3, max_tasks: 6 });
      expect(beat).toEqual({ status: 200, body: { status: 'ok' } });
      const got = await registry.call('GET', `/api/agents/${agentId}`);
      expect(Date.parse(got.body.last_heartbeat)).toBeGreaterThanOrEqual(before - 5);
      expect(got.body.load).toMatchObject({ current_tasks: 3, max_tasks: 6, load_percentage: 50 });
      const listed = await registry.call('GET', `/api/agents?capability=nestjs&limit=1000`);
      const mine = listed.body.agents.find((a: { agent_id: string }) => a.agent_id === agentId);
      expect(mine.load.current_tasks).toBe(3);
    });

    it('accepts a heartbeat without a body', async () => {
      const agentId = id();
      await register(agentId);
      const res = await fetch(`${registry.baseUrl}/api/agents/${agentId}/heartbeat`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('reaches PostgreSQL through the batched flush', async () => {
      const agentId = id();
      await register(agentId);
      await registry.call('POST', `/api/agents/${agentId}/heartbeat`, { current_tasks: 2 });
      let row: { current_tasks: number } | undefined;
      for (let i = 0; i < 50 && row?.current_tasks !== 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        row = (await db.query('SELECT current_tasks FROM agent_load WHERE agent_id = $1', [agentId])).rows[0];
      }
      expect(row?.current_tasks).toBe(2);
    });

    it('brings a manually offline agent back online', async () => {
      const agentId = id();
      await register(agentId);
      await registry.call('POST', `/api/agents/${agentId}/status`, { status: 'offline' });
      expect((await registry.call('GET', `/api/agents/${agentId}`)).body.status).toBe('offline');
      await registry.call('POST', `/api/agents/${agentId}/heartbeat`);
      expect((await registry.call('GET', `/api/agents/${agentId}`)).body.status).toBe('online');
    });
  });

  describe('status', () => {
    it('updates the status', async () => {
      const agentId = id();
      await register(agentId);
      const res = await registry.call('POST', `/api/agents/${agentId}/status`, { status: 'busy' });
      expect(res).toEqual({ status: 200, body: { status: 'updated' } });
      expect((await registry.call('GET', `/api/agents/${agentId}`)).body.status).toBe('busy');
    });

    it('rejects an unknown status naming the field', async () => {
      const agentId = id();
      await register(agentId);
      const res = await registry.call('POST', `/api/agents/${agentId}/status`, { status: 'sleeping' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    });
  });

  describe('discovery', () => {
    it('returns online agents of a role with free capacity, least busy first, honouring max_load', async () => {
      const role = `disc_role_${Date.now()}`;
      const [idle, half, full, offline, busy] = [id(), id(), id(), id(), id()];
      for (const agentId of [idle, half, full, offline, busy]) await register(agentId, { role, max_tasks: 4 });
      await registry.call('POST', `/api/agents/${half}/heartbeat`, { current_tasks: 2 });
      await registry.call('POST', `/api/agents/${full}/load`, { current_tasks: 4 });
      await registry.call('POST', `/api/agents/${offline}/status`, { status: 'offline' });
      await registry.call('POST', `/api/agents/${busy}/status`, { status: 'busy' });

      const res = await registry.call('GET', `/api/agents/discover/${role}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        agents: [
          { agent_id: idle, name: `Agent ${idle}`, role, current_tasks: 0, max_tasks: 4, load_percentage: 0 },
          { agent_id: half, name: `Agent ${half}`, role, current_tasks: 2, max_tasks: 4, load_percentage: 50 },
        ],
        available_count: 2,
      });

      const limited = await registry.call('GET', `/api/agents/discover/${role}?max_load=2`);
      expect(limited.body.agents.map((a: { agent_id: string }) => a.agent_id)).toEqual([idle]);
    });

    it('answers from the latest heartbeat even right after a cached answer', async () => {
      const role = `cache_role_${Date.now()}`;
      const [first, second] = [id(), id()];
      await register(first, { role, max_tasks: 3 });
      await register(second, { role, max_tasks: 3 });
      const before = await registry.call('GET', `/api/agents/discover/${role}`);
      expect(before.body.agents.map((a: { agent_id: string }) => a.agent_id)).toEqual([first, second]);
      await registry.call('POST', `/api/agents/${first}/heartbeat`, { current_tasks: 2 });
      const after = await registry.call('GET', `/api/agents/discover/${role}`);
      expect(
        after.body.agents.map((a: { agent_id: string; current_tasks: number }) => [a.agent_id, a.current_tasks]),
      ).toEqual([
        [second, 0],
        [first, 2],
      ]);
      await registry.call('POST', `/api/agents/${second}/heartbeat`, { max_tasks: 5, current_tasks: 0 });
      await registry.call('POST', `/api/agents/${first}/heartbeat`, { current_tasks: 3 });
      const full = await registry.call('GET', `/api/agents/discover/${role}`);
      expect(full.body).toMatchObject({ available_count: 1, agents: [{ agent_id: second, max_tasks: 5 }] });
    });

    it('discovers by capability ranked by free capacity then proficiency', async () => {
      const capability = `cap_${Date.now()}`;
      const [expert, novice, loaded, weak] = [id(), id(), id(), id()];
      await register(expert, { max_tasks: 3, capabilities: [{ capability, proficiency_level: 9 }] });
      await register(novice, { max_tasks: 3, capabilities: [{ capability, proficiency_level: 4 }] });
      await register(loaded, { max_tasks: 3, capabilities: [{ capability, proficiency_level: 10 }] });
      await register(weak, { max_tasks: 3, role: 'qa_engineer', capabilities: [{ capability, proficiency_level: 2 }] });
      await registry.call('POST', `/api/agents/${loaded}/heartbeat`, { current_tasks: 1 });

      const res = await registry.call('GET', `/api/agents/discover?capability=${capability}&min_proficiency=3`);
      expect(res.status).toBe(200);
      expect(res.body.agents.map((a: { agent_id: string }) => a.agent_id)).toEqual([expert, novice, loaded]);
      expect(res.body.agents[0]).toMatchObject({ proficiency_level: 9, current_tasks: 0, load_percentage: 0 });

      const qa = await registry.call('GET', `/api/agents/discover?capability=${capability}&role=qa_engineer`);
      expect(qa.body).toMatchObject({ available_count: 1, agents: [{ agent_id: weak }] });
    });

    it('requires a capability', async () => {
      const res = await registry.call('GET', '/api/agents/discover');
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('capability');
    });
  });

  describe('load reports', () => {
    it('keeps total and average exact under 200 concurrent reports', async () => {
      const agentId = id();
      await register(agentId, { max_tasks: 10 });
      const durations = Array.from({ length: 200 }, (_, i) => (i % 17) + 0.25);
      const results = await Promise.all(
        durations.map((d, i) =>
          registry.call('POST', `/api/agents/${agentId}/load`, { current_tasks: i % 5, task_duration_sec: d }),
        ),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      const got = await registry.call('GET', `/api/agents/${agentId}`);
      const expectedAvg = durations.reduce((a, b) => a + b, 0) / durations.length;
      expect(got.body.load.total_tasks_completed).toBe(200);
      expect(got.body.load.avg_task_duration_sec).toBeCloseTo(expectedAvg, 9);
    });

    it('answers with the stored load and supersedes an earlier heartbeat', async () => {
      const agentId = id();
      await register(agentId);
      await registry.call('POST', `/api/agents/${agentId}/heartbeat`, { current_tasks: 2 });
      const res = await registry.call('POST', `/api/agents/${agentId}/load`, {
        current_tasks: 1,
        task_duration_sec: 4,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'updated',
        agent_id: agentId,
        load: { current_tasks: 1, total_tasks_completed: 1, avg_task_duration_sec: 4 },
      });
      expect((await registry.call('GET', `/api/agents/${agentId}`)).body.load.current_tasks).toBe(1);
    });

    it('rejects an empty report', async () => {
      const agentId = id();
      await register(agentId);
      const res = await registry.call('POST', `/api/agents/${agentId}/load`, {});
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('EMPTY_LOAD_REPORT');
    });
  });

  describe('deregister', () => {
    it('deletes the agent with its capabilities and load', async () => {
      const agentId = id();
      await register(agentId);
      const res = await registry.call('DELETE', `/api/agents/${agentId}`);
      expect(res).toEqual({ status: 200, body: { status: 'deregistered', agent_id: agentId } });
      expect((await registry.call('GET', `/api/agents/${agentId}`)).status).toBe(404);
      expect((await registry.call('POST', `/api/agents/${agentId}/heartbeat`)).status).toBe(404);
      const left = await db.query(
        'SELECT (SELECT count(*) FROM agent_capabilities WHERE agent_id = $1)::int AS caps, (SELECT count(*) FROM agent_load WHERE agent_id = $1)::int AS loads',
        [agentId],
      );
      expect(left.rows[0]).toEqual({ caps: 0, loads: 0 });
    });
  });

  describe('unknown agents', () => {
    it.each([
      ['POST', 'heartbeat', undefined],
      ['POST', 'status', { status: 'online' }],
      ['GET', '', undefined],
      ['DELETE', '', undefined],
      ['POST', 'load', { current_tasks: 1 }],
    ])('%s %s answers 404 AGENT_NOT_FOUND', async (method, action, body) => {
      const path = `/api/agents/NOPE-999${action ? `/${action}` : ''}`;
      const res = await registry.call(method, path, body);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'AGENT_NOT_FOUND', path });
      expect(res.body.message).toContain('NOPE-999');
      expect(typeof res.body.request_id).toBe('string');
    });
  });

  describe('bad input', () => {
    const badRegistrations: [string, Record<string, unknown>, string][] = [
      ['a lowercase agent_id', { agent_id: 'dev-001' }, 'agent_id'],
      ['an agent_id longer than 20', { agent_id: 'ABCDEFGHIJKLMNOPQRSTU-001' }, 'agent_id'],
      ['a role that is not snake_case', { role: 'Backend Dev' }, 'role'],
      ['port 0', { port: 0 }, 'port'],
      ['port 70000', { port: 70000 }, 'port'],
      [
        'proficiency 0',
        { capabilities: [{ capability: 'x', proficiency_level: 0 }] },
        'capabilities.0.proficiency_level',
      ],
      [
        'proficiency 11',
        { capabilities: [{ capability: 'x', proficiency_level: 11 }] },
        'capabilities.0.proficiency_level',
      ],
      ['an unknown field', { colour: 'blue' }, 'colour'],
      [
        'an unknown nested field',
        { capabilities: [{ capability: 'x', proficiency_level: 3, extra: 1 }] },
        'capabilities.0.extra',
      ],
      ['metadata that is not an object', { metadata: [1, 2] }, 'metadata'],
      ['a missing name', { name: undefined }, 'name'],
    ];

    it.each(badRegistrations)('rejects %s with 400 naming the field', async (_label, overrides, field) => {
      const res = await registry.call('POST', '/api/agents/register', registration('BAD-001', overrides));
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.message).toContain(field);
    });

    it('rejects a capability listed twice', async () => {
      const res = await registry.call(
        'POST',
        '/api/agents/register',
        registration('BAD-002', {
          capabilities: [
            { capability: 'x', proficiency_level: 3 },
            { capability: 'x', proficiency_level: 4 },
          ],
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'DUPLICATE_CAPABILITY' });
      expect(res.body.message).toContain('capabilities.1.capability');
    });

    it.each([
      ['GET', '/api/agents/dev-001', undefined],
      ['POST', '/api/agents/DEV_001/heartbeat', {}],
      ['POST', '/api/agents/DEV-1/status', { status: 'online' }],
      ['DELETE', `/api/agents/${encodeURIComponent("DEV-001' OR 1=1")}`, undefined],
      ['POST', '/api/agents/ABCDEFGHIJKLMNOPQRSTU-001/load', { current_tasks: 1 }],
    ])('rejects a bad agent_id in the path of %s %s', async (method, path, body) => {
      const res = await registry.call(method, path, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('agent_id');
    });

    it.each([
      ['/api/agents?limit=0', 'limit'],
      ['/api/agents?limit=abc', 'limit'],
      ['/api/agents?offset=-1', 'offset'],
      ['/api/agents?status=sleeping', 'status'],
      ['/api/agents?role=DROP%20TABLE', 'role'],
      ['/api/agents?foo=1', 'foo'],
      ['/api/agents/discover/Not-A-Role', 'role'],
      ['/api/agents/discover/backend_dev?max_load=0', 'max_load'],
      ['/api/agents/discover?capability=x&min_proficiency=11', 'min_proficiency'],
    ])('rejects the query %s naming %s', async (path, field) => {
      const res = await registry.call('GET', path);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('rejects a heartbeat with a negative load', async () => {
      const agentId = id();
      await register(agentId);
      const res = await registry.call('POST', `/api/agents/${agentId}/heartbeat`, { current_tasks: -1 });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['current_tasks']);
    });

    it('rejects malformed JSON with 400 naming the body', async () => {
      const res = await registry.call('POST', '/api/agents/register', '{"agent_id": "DEV-001",');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^body/);
      expect(typeof res.body.request_id).toBe('string');
    });

    it('rejects an oversized body with 413', async () => {
      const huge = registration('BIG-001', { metadata: { blob: 'x'.repeat(registry.config.httpBodyLimitBytes + 10) } });
      const res = await registry.call('POST', '/api/agents/register', huge);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413 });
      expect(res.body.message).toMatch(/^body/);
    });
  });

  describe('operations', () => {
    it('serves health, readiness, Swagger and metrics', async () => {
      expect((await registry.call('GET', '/health')).body).toMatchObject({ status: 'healthy', service: 'registry' });
      expect((await registry.call('GET', '/health/ready')).status).toBe(200);
      const docs = await registry.call('GET', '/docs/json');
      expect(Object.keys(docs.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/agents/register',
          '/api/agents/{agent_id}/heartbeat',
          '/api/agents/discover/{role}',
          '/api/agents/events',
        ]),
      );
      const agentId = id();
      await register(agentId);
      await registry.call('POST', `/api/agents/${agentId}/heartbeat`);
      const metrics = await fetch(`${registry.baseUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/registry_heartbeats_received_total\{[^}]*\} [1-9]/);
      expect(metrics).toContain('http_request_duration_seconds_bucket');
    });

    it('reports agents by role and status on /metrics', async () => {
      let metrics = '';
      for (
        let i = 0;
        i < 40 && !/registry_agents\{[^}]*role="backend_dev"[^}]*status="online"[^}]*\} [1-9]/.test(metrics);
        i++
      ) {
        await new Promise((r) => setTimeout(r, 250));
        metrics = await fetch(`${registry.baseUrl}/metrics`).then((r) => r.text());
      }
      expect(metrics).toMatch(/registry_agents\{[^}]*role="backend_dev"[^}]*status="online"[^}]*\} [1-9]/);
    });
  });
});
