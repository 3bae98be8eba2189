import { firstValueFrom } from 'rxjs';
import Redis from 'ioredis';
import { ORCHESTRATOR_RPC_ADDRESS, OrchestratorPatterns } from '@app/contracts';
import { RedisStreamsClient, TransportKeys } from '@app/transport';
import { TEST_REDIS_URL } from '../support/test-env';
import { call, startOrchestrator, Started, TestSystem, waitFor } from '../orchestrator/support/system';
import { expectUniformError } from './raw-http';

jest.setTimeout(120_000);

/** Regression tests for issue 12 at the orchestrator: text and size checks before the group commit, the bus, replay. */
describe('hostile input at the orchestrator', () => {
  const system = new TestSystem();
  let client: RedisStreamsClient;
  let redis: Redis;

  beforeAll(async () => {
    await system.start({ orchestratorEnv: { TASK_INPUT_MAX_BYTES: '4096' } });
    client = new RedisStreamsClient({
      url: TEST_REDIS_URL,
      keyPrefix: system.transportPrefix,
      defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
      requestTimeoutMs: 10_000,
      blockMs: 100,
    });
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await client?.close();
    await redis?.quit();
    await system.stop();
  });

  const task = (extra: Record<string, unknown> = {}) => ({ title: 'hostile', role: 'backend_dev', ...extra });

  it.each([
    ['title', { title: 'a\u0000' }, 'title'],
    ['description', { description: '\u0000' }, 'description'],
    ['idempotency_key', { idempotency_key: 'k\u0000' }, 'idempotency_key'],
    ['input', { input: { deep: { list: ['\u0000'] } } }, 'input.deep.list[0]'],
    ['input (lone surrogate)', { input: { s: '\udfff' } }, 'input.s'],
  ])('refuses NUL/unstorable text in %s with 400 naming the field, not 503', async (_what, extra, field) => {
    const reply = await system.call('POST', '/api/tasks', task(extra));
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, field);
  });

  it('refuses an input nested past TASK_INPUT_MAX_DEPTH and one past TASK_INPUT_MAX_BYTES, naming input', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const tooDeep = await system.call('POST', '/api/tasks', task({ input: deep }));
    expect(tooDeep.status).toBe(400);
    expectUniformError(tooDeep.body, 400, /^input\b.*nested deeper than 32 levels/);
    const big = await system.call('POST', '/api/tasks', task({ input: { text: 'x'.repeat(5000) } }));
    expect(big.status).toBe(400);
    expectUniformError(big.body, 400, /^input: is \d+ bytes as JSON; at most 4096/);
  });

  it('keeps a bad task out of the group commit: its neighbours in the same batch are accepted', async () => {
    const replies = await Promise.all([
      system.call('POST', '/api/tasks', task({ title: 'ok-1' })),
      system.call('POST', '/api/tasks', task({ input: { text: 'x'.repeat(5000) } })),
      system.call('POST', '/api/tasks', task({ agent_id: `${'A'.repeat(30)}-001`, role: undefined })),
      system.call('POST', '/api/tasks', task({ title: 'ok-2' })),
    ]);
    expect(replies.map((r) => r.status)).toEqual([202, 400, 400, 202]);
    expectUniformError(replies[2].body, 400, 'agent_id');
  });

  it('treats null in optional fields as absent (agent_id: null was a 503 "could not be stored")', async () => {
    const reply = await system.call('POST', '/api/tasks', task({ agent_id: null, priority: null, input: null }));
    expect(reply.status).toBe(202);
    const missing = await system.call('POST', '/api/tasks', task({ title: null }));
    expect(missing.status).toBe(400);
    expectUniformError(missing.body, 400, 'title');
  });

  it.each([
    ['a null limit (it would stop the task at its first model call)', { max_tokens: null }, 'budget.max_tokens'],
    ['a null cost limit', { max_cost_usd: null, max_tokens: 10 }, 'budget.max_cost_usd'],
    ['an array', [], 'budget'],
  ])('refuses a budget with %s with 400 naming the field', async (_what, budget, field) => {
    const reply = await system.call('POST', '/api/tasks', task({ budget }));
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, field);
    const run = await system.call('POST', '/api/workflows/mcq_generation/runs', { input: { topics: ['t'] }, budget });
    expect(run.status).toBe(400);
    expectUniformError(run.body, 400, field);
  });

  it('answers tasks.submit with NUL in the title with an error reply naming the field (not retried)', async () => {
    const error = await firstValueFrom(client.send(OrchestratorPatterns.SubmitTask, task({ title: 'a\u0000b' }))).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ status: 'error', message: expect.stringContaining('title') });
    const stats = await system.call('GET', `/api/bus/streams/${ORCHESTRATOR_RPC_ADDRESS}`);
    expect(stats.body.dead_letters).toBe(0);
  });

  it('answers workflows.start with a NUL topic with an error reply naming the field', async () => {
    const error = await firstValueFrom(
      client.send(OrchestratorPatterns.StartWorkflow, { name: 'mcq_generation', input: { topics: ['\u0000'] } }),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ status: 'error', message: expect.stringContaining('input.topics[0]') });
    const http = await system.call('POST', '/api/workflows/mcq_generation/runs', { input: { topics: ['\u0000'] } });
    expect(http.status).toBe(400);
    expectUniformError(http.body, 400, 'input.topics[0]');
  });

  it('"replay all" of the orchestrator stream answers, and entries that fail again are not replayed twice', async () => {
    const keys = new TransportKeys(system.transportPrefix);
    for (let i = 0; i < 20; i++) await redis.xadd(keys.stream(ORCHESTRATOR_RPC_ADDRESS), '*', 'envelope', `{junk ${i}`);
    const path = `/api/bus/streams/${ORCHESTRATOR_RPC_ADDRESS}`;
    await waitFor('20 dead letters', async () => (await system.call('GET', path)).body.dead_letters === 20);
    const replay = await system.call('POST', `${path}/dead-letters/replay`, {});
    expect(replay).toMatchObject({ status: 200, body: { replayed: 20, complete: true } });
    await waitFor('all dead-lettered again', async () => (await system.call('GET', path)).body.dead_letters === 20);
    const stats = (await system.call('GET', path)).body;
    expect(stats.groups[0].pending).toBe(0);
  });

  it('declares every path parameter in the OpenAPI documents', async () => {
    for (const baseUrl of [system.url, system.registry.baseUrl]) {
      const doc = (await call(baseUrl, 'GET', '/docs/json')).body as {
        paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
      };
      for (const [path, operations] of Object.entries(doc.paths)) {
        const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
        for (const [method, op] of Object.entries(operations)) {
          const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
          expect({ route: `${method} ${path}`, declared: declared.sort() }).toEqual({
            route: `${method} ${path}`,
            declared: names.sort(),
          });
        }
      }
    }
  });
});

describe('the group-commit queue is bounded', () => {
  const system = new TestSystem();
  let busy: Started;

  beforeAll(async () => {
    await system.start({ inProcessOrchestrator: false });
    busy = await startOrchestrator({
      ...system.env,
      ORCHESTRATOR_GROUP_COMMIT_MS: '1000',
      ORCHESTRATOR_GROUP_COMMIT_LANES: '1',
      ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX: '5',
    });
  });

  afterAll(async () => {
    await busy?.close();
    await system.stop();
  });

  it('answers 503 with Retry-After beyond ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX, and accepts again after the commit', async () => {
    const submit = () =>
      fetch(`${busy.baseUrl}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'queued', role: 'backend_dev' }),
      });
    const replies = await Promise.all(Array.from({ length: 20 }, submit));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 503)).toHaveLength(15);
    const refused = replies.find((r) => r.status === 503)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ code: 'ORCHESTRATOR_BUSY', statusCode: 503 });
    expect((await submit()).status).toBe(202);
  });
});
