import { Client } from 'pg';
import { getAgent } from '@app/agents';
import { AuditService } from '@app/auth';
import { TEST_DATABASE_URL } from '../support/test-env';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { waitFor } from '../support/http-client';
import { auditRows, bearer, createTestKey, request } from './support/keys';

function catalogRegistration(agentId: string, overrides: Record<string, unknown> = {}) {
  const def = getAgent(agentId);
  return {
    agent_id: agentId,
    name: def.name,
    role: def.role,
    host: 'localhost',
    port: 6001,
    capabilities: def.capabilities.map((c) => ({ capability: c.capability, proficiency_level: c.proficiency_level })),
    ...overrides,
  };
}

describe('registry: agent-bound credentials, audit, keys, tickets, limits (auth on)', () => {
  let registry: RegistryUnderTest;
  let qaHost: string;
  let admin: string;

  beforeAll(async () => {
    registry = await startRegistry({ AUTH_MODE: 'on', AUTH_SSE_MAX_PER_CREDENTIAL: '1' });
    qaHost = (await createTestKey([], ['QA-001'])).key;
    admin = (await createTestKey(['*'])).key;
  });

  afterAll(async () => {
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
  });

  const as = (key: string, method: string, path: string, body?: unknown) =>
    request(registry.baseUrl, method, path, { body, headers: bearer(key) });

  it('a host bound to QA-001 acts as QA-001 and cannot register, heartbeat, report or delete as DEV-001', async () => {
    expect((await as(qaHost, 'POST', '/api/agents/register', catalogRegistration('QA-001'))).status).toBe(200);
    expect((await as(qaHost, 'POST', '/api/agents/QA-001/heartbeat', { current_tasks: 0 })).status).toBe(200);
    expect((await as(admin, 'POST', '/api/agents/register', catalogRegistration('DEV-001'))).status).toBe(200);

    const attempts: [string, string, unknown][] = [
      ['POST', '/api/agents/register', catalogRegistration('DEV-001', { port: 6666 })],
      ['POST', '/api/agents/DEV-001/heartbeat', { current_tasks: 0, max_tasks: 1000 }],
      ['POST', '/api/agents/DEV-001/status', { status: 'offline' }],
      ['POST', '/api/agents/DEV-001/load', { current_tasks: 0, max_tasks: 1000 }],
      ['DELETE', '/api/agents/DEV-001', undefined],
    ];
    for (const [method, path, body] of attempts) {
      const reply = await as(qaHost, method, path, body);
      expect({ path, status: reply.status, code: reply.body.code }).toEqual({
        path,
        status: 403,
        code: 'AGENT_NOT_BOUND',
      });
      const rows = await auditRows('request_id = $1', [reply.headers.get('x-request-id')]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        outcome: 'denied',
        resource: 'agent:DEV-001',
        actor_kind: 'agent_host',
        status_code: 403,
      });
    }
    // DEV-001 is untouched: still registered on its own port with the catalog's load.
    const dev = await as(admin, 'GET', '/api/agents/DEV-001');
    expect(dev.body).toMatchObject({ agent_id: 'DEV-001', port: 6001 });
    expect(dev.body.status).not.toBe('offline');
  });

  it('registering an outside A2A agent needs registry:admin (a host or a reader gets 403, anonymous 401)', async () => {
    const reader = (await createTestKey(['registry:read'])).key;
    const body = { card_url: 'https://agents.example.com/.well-known/agent-card.json', role: 'backend_dev' };
    expect((await as(qaHost, 'POST', '/api/agents/remote', body)).status).toBe(403);
    expect((await as(reader, 'POST', '/api/agents/remote', body)).status).toBe(403);
    expect((await request(registry.baseUrl, 'POST', '/api/agents/remote', { body })).status).toBe(401);
    // An administrator gets past the guard to the SSRF check (loopback is refused by default).
    const refused = await as(admin, 'POST', '/api/agents/remote', { ...body, card_url: 'http://127.0.0.1:1/card' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('TARGET_REFUSED');
  });

  it('a host cannot rewrite the role or capabilities of its own catalog agent', async () => {
    const role = await as(
      qaHost,
      'POST',
      '/api/agents/register',
      catalogRegistration('QA-001', { role: 'backend_dev' }),
    );
    expect(role.status).toBe(400);
    expect(role.body).toMatchObject({ code: 'CATALOG_MISMATCH' });
    expect(role.body.message).toMatch(/^role:/);
    const caps = await as(
      qaHost,
      'POST',
      '/api/agents/register',
      catalogRegistration('QA-001', { capabilities: [{ capability: 'kubernetes', proficiency_level: 10 }] }),
    );
    expect(caps.status).toBe(400);
    expect(caps.body.message).toMatch(/^capabilities\.0/);
  });

  it('every mutation leaves exactly one audit row; a 401 leaves one too', async () => {
    const ok = await as(qaHost, 'POST', '/api/agents/QA-001/status', { status: 'busy' });
    expect(ok.status).toBe(200);
    expect(await auditRows('request_id = $1', [ok.headers.get('x-request-id')])).toEqual([
      expect.objectContaining({
        outcome: 'success',
        action: 'POST /api/agents/:agent_id/status',
        actor_kind: 'agent_host',
        service: 'registry',
      }),
    ]);
    const anonymous = await request(registry.baseUrl, 'DELETE', '/api/agents/QA-001');
    expect(anonymous.status).toBe(401);
    expect(await auditRows('request_id = $1', [anonymous.headers.get('x-request-id')])).toEqual([
      expect.objectContaining({ outcome: 'unauthenticated', actor: null, status_code: 401 }),
    ]);
    const forged = await request(registry.baseUrl, 'GET', '/api/agents', {
      headers: bearer('ea_not-a-real-key-000000000000'),
    });
    expect(forged.status).toBe(401);
    // Heartbeats are telemetry: no row per beat.
    const beat = await as(qaHost, 'POST', '/api/agents/QA-001/heartbeat', {});
    expect(await auditRows('request_id = $1', [beat.headers.get('x-request-id')])).toEqual([]);
  });

  it('GET /api/audit filters for audit:read only', async () => {
    const reader = (await createTestKey(['audit:read'])).key;
    const page = await as(reader, 'GET', '/api/audit?resource=agent:DEV-001&outcome=denied&limit=3');
    expect(page.status).toBe(200);
    expect(page.body.events).toHaveLength(3);
    expect(page.body.events.every((e: { resource: string }) => e.resource === 'agent:DEV-001')).toBe(true);
    const next = await as(reader, 'GET', `/api/audit?resource=agent:DEV-001&before=${page.body.next_before}`);
    expect(next.body.events.length).toBeGreaterThanOrEqual(2);
    expect((await as(qaHost, 'GET', '/api/audit')).status).toBe(403);
    const bad = await as(reader, 'GET', '/api/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('since');
  });

  it('keys: created once (audited in the same transaction), usable, listed without secrets, revoked', async () => {
    const created = await as(admin, 'POST', '/api/auth/keys', { name: 'ci', scopes: ['registry:read'] });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ea_/);
    expect(await auditRows('request_id = $1', [created.headers.get('x-request-id')])).toEqual([
      expect.objectContaining({ action: 'keys.create', outcome: 'success', resource: `api_key:${created.body.id}` }),
    ]);
    const me = await as(created.body.key as string, 'GET', '/api/auth/me');
    expect(me.body).toEqual({ id: created.body.id, kind: 'api_key', name: 'ci', scopes: ['registry:read'] });
    const list = await as(admin, 'GET', '/api/auth/keys');
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect(list.body.keys.some((k: { id: string }) => k.id === created.body.id)).toBe(true);
    const badScope = await as(admin, 'POST', '/api/auth/keys', { name: 'x', scopes: ['root'] });
    expect(badScope.status).toBe(400);
    expect(JSON.stringify(badScope.body.errors)).toContain('scopes');
    expect((await as(admin, 'DELETE', `/api/auth/keys/${created.body.id}`)).body.revoked_at).not.toBeNull();
    await waitFor(
      'revoked key refused',
      async () => (await as(created.body.key as string, 'GET', '/api/auth/me')).status === 401,
      15_000,
      200,
    );
  });

  it('stream tickets open SSE routes only, and open streams per credential are capped', async () => {
    const reader = (await createTestKey(['registry:read'])).key;
    const issued = await as(reader, 'POST', '/api/auth/stream-tickets');
    expect(issued.status).toBe(201);
    expect(Date.parse(issued.body.expires_at as string)).toBeGreaterThan(Date.now());
    const ticket = issued.body.ticket as string;
    expect((await request(registry.baseUrl, 'GET', `/api/agents?ticket=${ticket}`)).status).toBe(401);

    const abort = new AbortController();
    const first = await fetch(`${registry.baseUrl}/api/agents/events?ticket=${ticket}`, { signal: abort.signal });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const second = await request(registry.baseUrl, 'GET', `/api/agents/events?ticket=${ticket}`);
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('TOO_MANY_STREAMS');
    abort.abort();
    await waitFor(
      'the slot to free',
      async () => (await request(registry.baseUrl, 'GET', `/api/agents/events?ticket=${ticket}`)).status === 200,
      10_000,
      100,
    );
    expect((await request(registry.baseUrl, 'GET', '/api/agents/events?ticket=st_forged')).status).toBe(401);
  });
});

describe('audit retention', () => {
  let registry: RegistryUnderTest;
  afterAll(async () => {
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
  });

  it('deletes rows older than AUDIT_RETENTION_DAYS and keeps newer ones; rows cannot be updated', async () => {
    registry = await startRegistry({ AUTH_MODE: 'on', AUDIT_RETENTION_DAYS: '30' });
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const marker = `retention-${Date.now()}`;
      await db.query(
        `INSERT INTO audit_events (service, action, outcome, resource, at) VALUES
           ('registry', 'old', 'success', $1, now() - interval '31 days'),
           ('registry', 'new', 'success', $1, now() - interval '29 days')`,
        [marker],
      );
      await expect(
        db.query(`UPDATE audit_events SET outcome = 'failure' WHERE resource = $1`, [marker]),
      ).rejects.toThrow(/append-only/);
      expect(await registry.app.get(AuditService).applyRetention()).toBeGreaterThanOrEqual(1);
      const left = await db.query<{ action: string }>(`SELECT action FROM audit_events WHERE resource = $1`, [marker]);
      expect(left.rows.map((r) => r.action)).toEqual(['new']);
    } finally {
      await db.end();
    }
  });
});

describe('rate limits per credential (shared in Redis)', () => {
  let registry: RegistryUnderTest;
  afterAll(async () => {
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
  });

  it('answers 429 with Retry-After past the budget; heartbeats have their own', async () => {
    registry = await startRegistry({
      AUTH_MODE: 'on',
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
      AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE: '100',
    });
    const host = (await createTestKey(['registry:read'], ['QA-002'])).key;
    const replies = [];
    for (let i = 0; i < 4; i += 1)
      replies.push(await request(registry.baseUrl, 'GET', '/api/agents', { headers: bearer(host) }));
    const statuses = replies.map((r) => r.status);
    const last = replies[3];
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last.body.code).toBe('RATE_LIMITED');
    // The heartbeat budget is separate: the host keeps beating (404: not registered, but not limited).
    const beat = await request(registry.baseUrl, 'POST', '/api/agents/QA-002/heartbeat', {
      body: {},
      headers: bearer(host),
    });
    expect(beat.status).not.toBe(429);
    expect(beat.status).not.toBe(403);
  });
});
