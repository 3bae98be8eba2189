import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket, connect } from 'node:net';
import { Client } from 'pg';
import { firstValueFrom } from 'rxjs';
import { ORCHESTRATOR_RPC_ADDRESS, OrchestratorPatterns } from '@app/contracts';
import { RedisStreamsClient } from '@app/transport';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { call, Json, startOrchestrator, Started, TestSystem, waitFor } from '../orchestrator/support/system';
import { expectUniformError } from './raw-http';

jest.setTimeout(120_000);

/** Tasks this suite may add to the backlog; the limit is set to what earlier suites left waiting plus this. */
const ROOM = 3;
const task = (title: string) => ({ title, role: 'backend_dev' });
const mcq = { input: { topics: ['Cardiology: atrial fibrillation'] } };

/** A TCP relay to PostgreSQL that the test can cut, so one orchestrator meets a database outage mid-run. */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/**
 * Issue 12: beyond ORCHESTRATOR_PENDING_TASKS_MAX tasks waiting for an agent slot, new work is refused with a clear
 * overload answer on every way in (HTTP tasks and runs, RPC, A2A); a database outage during a submission is a 503
 * DEPENDENCY_UNAVAILABLE with Retry-After, not a 500.
 */
describe('the pending-task backlog limit and outages during a submission', () => {
  const system = new TestSystem();
  let client: RedisStreamsClient;
  const ids: string[] = [];

  beforeAll(async () => {
    // Suites before this one in the same run (finished: the run is in band) share the database and may have left tasks
    // waiting; they expire on their own queue timeouts while this suite runs, which would move the count under the
    // limit mid-test. They are abandoned, so they are ended here and the backlog is this suite's own.
    const pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
    await pg.query(
      `UPDATE task_history SET status = 'canceled', completed_at = now() WHERE status = 'pending' AND dispatched_at IS NULL`,
    );
    await pg.end();
    // No agent hosts: every task waits for a slot.
    await system.start({ orchestratorEnv: { ORCHESTRATOR_PENDING_TASKS_MAX: String(ROOM) } });
    client = new RedisStreamsClient({
      url: TEST_REDIS_URL,
      keyPrefix: system.transportPrefix,
      defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
      requestTimeoutMs: 10_000,
      blockMs: 100,
    });
  });

  afterAll(async () => {
    await client?.close();
    await system.stop();
  });

  const backlogFull = (reply: { status: number; headers: Headers; body: Json }) => {
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('5');
    expect(reply.body).toMatchObject({ statusCode: 503, code: 'TASK_BACKLOG_FULL' });
    expect(reply.body.message).toMatch(/^backlog: \d+ tasks are waiting for an agent slot/);
  };

  it('refuses POST /api/tasks and workflow runs with 503 TASK_BACKLOG_FULL + Retry-After once the backlog is full', async () => {
    for (let i = 0; i < ROOM; i++) {
      const r = await system.call('POST', '/api/tasks', task(`backlog ${i}`));
      expect(r.status).toBe(202);
      ids.push(r.body.task_id as string);
    }
    const raw = await fetch(`${system.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(task('one too many')),
    });
    backlogFull({ status: raw.status, headers: raw.headers, body: await raw.json() });
    // Still full after a count in PostgreSQL (not only this replica's own tally).
    await new Promise((r) => setTimeout(r, 1_500));
    const run = await fetch(`${system.url}/api/workflows/mcq_generation/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mcq),
    });
    backlogFull({ status: run.status, headers: run.headers, body: await run.json() });
    // A client error is still a 400, full or not.
    const bad = await system.call('POST', '/api/tasks', { title: 'no target' });
    expect(bad.status).toBe(400);
    expectUniformError(bad.body, 400, 'agent_id');
  });

  it('answers tasks.submit and workflows.start with an error reply, neither retried nor dead-lettered', async () => {
    for (const [pattern, payload] of [
      [OrchestratorPatterns.SubmitTask, task('rpc')],
      [OrchestratorPatterns.StartWorkflow, { name: 'mcq_generation', ...mcq }],
    ] as const) {
      const error = await firstValueFrom(client.send(pattern, payload)).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toMatchObject({
        status: 'error',
        code: 'TASK_BACKLOG_FULL',
        details: { retry_after_seconds: 5 },
      });
    }
    const stats = await system.call('GET', `/api/bus/streams/${ORCHESTRATOR_RPC_ADDRESS}`);
    expect(stats.body.dead_letters).toBe(0);
    expect(stats.body.groups[0].pending).toBe(0);
  });

  it('answers A2A SendMessage with 503 + Retry-After and an UNAVAILABLE error on both bindings, not a 500', async () => {
    const message = () => ({
      messageId: randomUUID(),
      role: 'ROLE_USER',
      parts: [{ text: 'Design the login API' }],
      metadata: { agent_id: 'DEV-001' },
    });
    const rpc = await fetch(`${system.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'SendMessage', params: { message: message() } }),
    });
    expect(rpc.status).toBe(503);
    expect(rpc.headers.get('retry-after')).toBe('5');
    const rpcBody = (await rpc.json()) as Json;
    expect(rpcBody).toMatchObject({ jsonrpc: '2.0', id: 7, error: { message: expect.stringMatching(/^backlog: /) } });
    expect(rpcBody.error.data).toEqual([expect.objectContaining({ reason: 'TASK_BACKLOG_FULL' })]);
    const rest = await fetch(`${system.url}/a2a/rest/message:send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ message: message() }),
    });
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toBe('5');
    expect(await rest.json()).toMatchObject({
      error: { code: 503, status: 'UNAVAILABLE', details: [expect.objectContaining({ reason: 'TASK_BACKLOG_FULL' })] },
    });
  });

  it('accepts again once a waiting task left the backlog', async () => {
    expect((await system.call('POST', `/api/tasks/${ids[0]}/cancel`)).status).toBeLessThan(300);
    await waitFor('a task accepted again', async () => {
      const r = await system.call('POST', '/api/tasks', task('after cancel'));
      return r.status === 202;
    });
  });

  describe('PostgreSQL goes away while the orchestrator runs', () => {
    let relay: Relay;
    let orchestrator: Started;
    let rpc: RedisStreamsClient;
    // Its own bus, so only this orchestrator (the one behind the relay) takes its RPC requests.
    const prefix = uniqueRedisPrefix('outage').replace(/:$/, '');

    beforeAll(async () => {
      const db = new URL(TEST_DATABASE_URL);
      relay = new Relay(db.hostname, Number(db.port || 5432));
      await relay.open();
      db.host = `127.0.0.1:${relay.port}`;
      orchestrator = await startOrchestrator({
        ...system.env,
        TRANSPORT_KEY_PREFIX: prefix,
        DATABASE_URL: db.toString(),
      });
      rpc = new RedisStreamsClient({
        url: TEST_REDIS_URL,
        keyPrefix: prefix,
        defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
        requestTimeoutMs: 60_000,
        blockMs: 100,
      });
    });

    afterAll(async () => {
      await rpc?.close();
      await orchestrator?.close().catch(() => undefined);
      await relay?.cut(); // the RPC test opened it again: a listener left open keeps Jest's process alive
      await deleteRedisKeys(prefix);
    });

    it('answers a submission and a run start with 503 DEPENDENCY_UNAVAILABLE + Retry-After, a bad one still with 400', async () => {
      await relay.cut();
      for (const [path, body] of [
        ['/api/tasks', { ...task('outage'), idempotency_key: `outage-${randomUUID()}` }],
        ['/api/workflows/mcq_generation/runs', mcq],
      ] as const) {
        const r = await fetch(`${orchestrator.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await r.json()) as Json;
        expect({ path, status: r.status, code: json.code }).toEqual({
          path,
          status: 503,
          code: 'DEPENDENCY_UNAVAILABLE',
        });
        expect(r.headers.get('retry-after')).toBe('5');
        expectUniformError(json, 503, /unavailable/);
      }
      const bad = await call(orchestrator.baseUrl, 'POST', '/api/tasks', { title: 'a\u0000b', role: 'backend_dev' });
      expect(bad.status).toBe(400);
      expectUniformError(bad.body, 400, 'title');
    });

    it('holds an RPC tasks.submit through the outage and answers it once PostgreSQL is back (not an error reply)', async () => {
      const reply = firstValueFrom(
        rpc.send(OrchestratorPatterns.SubmitTask, { ...task('rpc outage'), idempotency_key: `rpc-${randomUUID()}` }),
      );
      await new Promise((r) => setTimeout(r, 2_000));
      await relay.open();
      await expect(reply).resolves.toMatchObject({ status: 'pending', created: true });
      const stats = await call(orchestrator.baseUrl, 'GET', `/api/bus/streams/${ORCHESTRATOR_RPC_ADDRESS}`);
      expect(stats.body).toMatchObject({ dead_letters: 0 });
    });
  });
  describe('Redis goes away while the orchestrator runs', () => {
    let relay: Relay;
    let orchestrator: Started;

    beforeAll(async () => {
      const redisUrl = new URL(TEST_REDIS_URL);
      relay = new Relay(redisUrl.hostname, Number(redisUrl.port || 6379));
      await relay.open();
      redisUrl.host = `127.0.0.1:${relay.port}`;
      orchestrator = await startOrchestrator({ ...system.env, REDIS_URL: redisUrl.toString() });
    });

    afterAll(async () => {
      await orchestrator?.close().catch(() => undefined);
      await relay?.cut();
    });

    it('accepts a submission (PostgreSQL holds it), and a request that needs Redis answers 503 DEPENDENCY_UNAVAILABLE', async () => {
      await relay.cut();
      // Redis only carries the dispatch: the task waits in PostgreSQL until Redis is back (docs/architecture.md).
      const accepted = await call(orchestrator.baseUrl, 'POST', '/api/tasks', task('redis outage'));
      expect(accepted.status).toBe(202);
      const r = await fetch(`${orchestrator.baseUrl}/api/bus/streams/${ORCHESTRATOR_RPC_ADDRESS}`);
      const json = (await r.json()) as Json;
      expect({ status: r.status, code: json.code }).toEqual({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
      expect(r.headers.get('retry-after')).toBe('5');
    });
  });
});
