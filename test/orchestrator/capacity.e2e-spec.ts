import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { scriptedCallCount } from '@app/agents';
import { currentAttemptKey, slotLeasesKey, SUPERSEDE_CHANNEL } from '@app/contracts';
import { call } from '../support/http-client';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { Json, Started, startOrchestrator, TestSystem, waitFor } from './support/system';

jest.setTimeout(180_000);

/** Largest number of [from, to] intervals open at one instant. */
function maxOverlap(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  // At equal instants an end is counted before a start (a slot is handed on, not shared).
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (open += d));
  return max;
}

/** From dispatch (slot leased before it) to the recorded outcome (slot released after it). */
function slotInterval(task: Json): [number, number] {
  const at = (type: string) => Date.parse(task.history.find((e: Json) => e.type === type).created_at);
  return [at('dispatched'), at(task.status)];
}

describe('capacity-aware dispatch and timeouts (real registry, hosts, PostgreSQL, Redis)', () => {
  const system = new TestSystem();
  let dev006: Started;

  beforeAll(async () => {
    await system.start({
      hosts: ['DEV-001,MED-001', 'AI-004', 'AI-004'],
      orchestratorEnv: { ORCHESTRATOR_START_TIMEOUT_SECONDS: '2' },
    });
    dev006 = await system.addHost('DEV-006');
    await system.agentsOnline(['DEV-001', 'MED-001', 'AI-004', 'DEV-006']);
  });

  afterAll(async () => {
    await system.stop();
  });

  const submit = async (body: Json): Promise<string> => {
    const r = await system.call('POST', '/api/tasks', body);
    expect(r.status).toBe(202);
    return r.body.task_id as string;
  };

  it('gives one agent with 3 slots never more than 3 of 12 tasks at once, the waiting ones by priority then FIFO', async () => {
    const slow = { scripted: { latency_ms: 1500 } };
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await submit({ title: `first ${i}`, agent_id: 'DEV-001', input: slow }));
    const priorities = [5, -3, 5, 9, 0, 9, -3, 0, 5];
    const waiting: { id: string; priority: number; n: number }[] = [];
    for (const [n, priority] of priorities.entries())
      waiting.push({
        id: await submit({ title: `waiting ${n}`, agent_id: 'DEV-001', priority, input: slow }),
        priority,
        n,
      });

    const tasks = await Promise.all([...first, ...waiting.map((w) => w.id)].map((id) => system.waitTask(id)));
    expect(tasks.map((t) => t.status)).toEqual(Array(12).fill('completed'));
    // Nothing waited on the agent's stream or ran twice: one attempt and one model call per task.
    expect(tasks.map((t) => t.attempts.length)).toEqual(Array(12).fill(1));
    expect(tasks.map((t) => scriptedCallCount(t.task_id))).toEqual(Array(12).fill(1));
    expect(maxOverlap(tasks.map(slotInterval))).toBe(3);

    // Slots that free together are leased in one scan (same instant): a task may never go out strictly before one ahead of it.
    const dispatchedAt = new Map(tasks.map((t) => [t.task_id, slotInterval(t)[0]]));
    const ahead = (x: (typeof waiting)[0], y: (typeof waiting)[0]) =>
      x.priority > y.priority || (x.priority === y.priority && x.n < y.n);
    const overtaken = waiting.flatMap((x) =>
      waiting
        .filter((y) => ahead(x, y) && dispatchedAt.get(y.id)! < dispatchedAt.get(x.id)!)
        .map((y) => `${y.n} before ${x.n}`),
    );
    expect(overtaken).toEqual([]);
    // And it waited: the three highest went out together, after the first three, before the rest.
    expect(Math.min(...waiting.map((w) => dispatchedAt.get(w.id)!))).toBeGreaterThan(
      Math.max(...first.map((id) => dispatchedAt.get(id)!)),
    );
  });

  it('shares an agent’s 3 slots between two orchestrator replicas taking tasks at once', async () => {
    const second = await startOrchestrator({ ...system.env, ORCHESTRATOR_START_TIMEOUT_SECONDS: '2' });
    try {
      const input = { scripted: { latency_ms: 1000 } };
      const ids = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const r = await call(i % 2 ? second.baseUrl : system.url, 'POST', '/api/tasks', {
            title: `two replicas ${i}`,
            agent_id: 'DEV-001',
            input,
          });
          expect(r.status).toBe(202);
          return r.body.task_id as string;
        }),
      );
      const tasks = await Promise.all(ids.map((id) => system.waitTask(id)));
      expect(tasks.map((t) => t.status)).toEqual(Array(12).fill('completed'));
      expect(tasks.map((t) => t.attempts.length)).toEqual(Array(12).fill(1));
      expect(maxOverlap(tasks.map(slotInterval))).toBe(3);
    } finally {
      await second.close();
    }
  });

  it('frees a slot whose lease no attempt backs (a release lost in a crash) without waiting for its expiry', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = slotLeasesKey(system.transportPrefix, 'DEV-001');
      const lost = `${randomUUID()}:1`;
      await redis.zadd(key, Date.now() + 3_600_000, lost);
      await waitFor('the lost lease to be released', async () => (await redis.zscore(key, lost)) === null, 30_000);
    } finally {
      await redis.quit();
    }
  });

  it('adds up the slots of an agent replicated on two hosts (2 + 2)', async () => {
    const ids = [];
    for (let i = 0; i < 8; i++)
      ids.push(
        await submit({ title: `replicated ${i}`, agent_id: 'AI-004', input: { scripted: { latency_ms: 1500 } } }),
      );
    const tasks = await Promise.all(ids.map((id) => system.waitTask(id)));
    expect(tasks.map((t) => t.status)).toEqual(Array(8).fill('completed'));
    expect(maxOverlap(tasks.map(slotInterval))).toBe(4);
  });

  it('fails a task nobody can serve when its queue timeout passes, with the reason', async () => {
    const id = await submit({ title: 'Threat model', role: 'security_engineer', queue_timeout_seconds: 2 });
    const task = await system.waitTask(id, ['failed', 'completed'], 20_000);
    expect(task.status).toBe('failed');
    expect(task.error).toBe(
      'queue timeout: not started within 2 s of acceptance (no agent online for role security_engineer)',
    );
    expect(task.attempts).toEqual([]);
    expect(task.history.map((e: Json) => e.type)).toEqual(['accepted', 'failed']);
    expect(task.queue_timeout_seconds).toBe(2);
    expect(Date.parse(task.queue_deadline) - Date.parse(task.created_at)).toBe(2000);
  });

  it('never lets unroutable tasks block others: 250 high-priority tasks nobody serves, then one for a busy agent', async () => {
    const unroutable: string[] = [];
    for (let i = 0; i < 250; i += 25)
      unroutable.push(
        ...(await Promise.all(
          Array.from({ length: 25 }, (_, j) =>
            submit({ title: `nobody ${i + j}`, role: 'security_engineer', priority: 100, queue_timeout_seconds: 600 }),
          ),
        )),
      );
    // The agent is full, so the last task can only go out through the scan, behind the 250.
    const busy = [];
    for (let i = 0; i < 3; i++)
      busy.push(await submit({ title: `busy ${i}`, agent_id: 'DEV-001', input: { scripted: { latency_ms: 1000 } } }));
    const low = await submit({ title: 'low priority, routable', agent_id: 'DEV-001', priority: -100 });
    const done = await system.waitTask(low, ['completed', 'failed'], 20_000);
    expect(done.status).toBe('completed');
    const still = await system.call('GET', `/api/tasks/${unroutable[0]}`);
    expect(still.body).toMatchObject({ status: 'pending', attempt: 0 });
    for (const id of [...busy]) expect((await system.waitTask(id)).status).toBe('completed');
    // Leave nothing pending for suites that add a security engineer later.
    for (const id of unroutable) await system.call('POST', `/api/tasks/${id}/cancel`);
  });

  it('never executes a superseded attempt: one model call although the task was sent several times', async () => {
    // The agent's 3 slots are taken by direct HTTP tasks, so the dispatched attempt waits past its start timeout (2 s).
    const occupying = Array.from({ length: 3 }, (_, i) =>
      call(dev006.baseUrl, 'POST', '/agents/DEV-006/task', {
        title: `occupy ${i}`,
        input: { scripted: { latency_ms: 5000 } },
      }),
    );
    await waitFor('DEV-006 to be full', async () => {
      const r = await call(dev006.baseUrl, 'GET', '/status');
      return (r.body.agents as Json[]).find((a) => a.agent_id === 'DEV-006')?.active_tasks === 3 || undefined;
    });
    const id = await submit({ title: 'Sent more than once', agent_id: 'DEV-006', max_attempts: 10 });
    const task = await system.waitTask(id, ['completed', 'failed'], 60_000);
    await Promise.all(occupying);
    expect(task.status).toBe('completed');
    expect(task.attempts.length).toBeGreaterThanOrEqual(2);
    expect(task.attempts.slice(0, -1).map((a: Json) => a.status)).toEqual(
      Array(task.attempts.length - 1).fill('timed_out'),
    );
    expect(task.attempts[task.attempts.length - 1]).toMatchObject({ attempt: task.attempt, status: 'completed' });
    // Every earlier copy was still on the stream, and each was skipped before the model call.
    await new Promise((r) => setTimeout(r, 500));
    expect(scriptedCallCount(id)).toBe(1);
  });

  it('stops a running attempt at once when the orchestrator supersedes it', async () => {
    const id = await submit({
      title: 'Superseded while running',
      agent_id: 'MED-001',
      timeout_seconds: 60,
      max_attempts: 1,
      input: { scripted: { latency_ms: 20_000 } },
    });
    await system.waitTask(id, ['in_progress']);
    // What the deadline sweeper sends when it replaces attempt 1 (TaskBus.supersede), here without a timeout:
    // the host's own 60 s deadline is far, so only the signal can stop the 20 s of work.
    const redis = new Redis(TEST_REDIS_URL);
    const signaledAt = Date.now();
    try {
      await redis.set(currentAttemptKey(id), '2', 'EX', 60);
      await redis.publish(SUPERSEDE_CHANNEL, `${id}:2`);
    } finally {
      await redis.quit();
    }
    // Attempt 1 is still the recorded one in this staged case, so its report is recorded: it stopped, superseded.
    const task = await system.waitTask(id, ['canceled', 'failed', 'completed'], 15_000);
    expect(Date.now() - signaledAt).toBeLessThan(10_000);
    expect(task).toMatchObject({ status: 'canceled', error: 'superseded: attempt 2 replaces attempt 1' });
  });

  it('never runs a copy of a dispatched entry (an XADD re-sent after a lost reply), on either replica, during or after the run', async () => {
    const id = await submit({
      title: 'Copied on the stream',
      agent_id: 'AI-004',
      input: { scripted: { latency_ms: 1500 } },
    });
    await system.waitTask(id, ['in_progress']);
    const redis = new Redis(TEST_REDIS_URL);
    const stream = `${system.transportPrefix}:{AI-004}:stream`;
    try {
      const entries = await redis.xrange(stream, '-', '+');
      const original = entries.find(([, fields]) => fields[1].includes(id));
      expect(original).toBeDefined();
      // What ioredis does when Redis restarts before answering an XADD: the same fields, a new entry id.
      const copies = [await redis.xadd(stream, '*', ...original![1])];
      const task = await system.waitTask(id, ['completed', 'failed']);
      copies.push(await redis.xadd(stream, '*', ...original![1]));
      await waitFor('both copies to be acknowledged', async () => {
        const pending = (await redis.xpending(stream, 'workers', '-', '+', 100)) as [string][];
        return pending.every(([entry]) => !copies.includes(entry)) || undefined;
      });
      expect(task.status).toBe('completed');
      expect(task.attempts.map((a: Json) => a.status)).toEqual(['completed']);
      expect(scriptedCallCount(id)).toBe(1);
      // The copies left the task as it was: no second report, no new event.
      const after = await system.waitTask(id, ['completed']);
      expect(after.history.map((e: Json) => e.type)).toEqual(task.history.map((e: Json) => e.type));
    } finally {
      await redis.quit();
    }
  });

  it('returns a history of more than 10 events in event order, also where ids gain a digit', async () => {
    const pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
    try {
      const [{ last }] = (await pg.query(`SELECT last_value::text AS last FROM task_events_id_seq`)).rows;
      const next = 10 ** String(Number(last) + 50).length;
      await pg.query(`SELECT setval('task_events_id_seq', $1)`, [next - 6]);
    } finally {
      await pg.end();
    }
    const id = await submit({
      title: 'Always too slow',
      agent_id: 'MED-001',
      timeout_seconds: 1,
      max_attempts: 4,
      input: { scripted: { latency_ms: 4000 } },
    });
    const task = await system.waitTask(id, ['failed', 'completed'], 60_000);
    expect(task.status).toBe('failed');
    const ids = task.history.map((e: Json) => BigInt(e.id as string));
    expect(ids.length).toBe(14);
    expect(ids.every((v: bigint, i: number) => i === 0 || v > ids[i - 1])).toBe(true);
    expect(task.history.map((e: Json) => e.type)).toEqual([
      'accepted',
      ...Array(4).fill(['dispatched', 'started', 'timed_out']).flat(),
      'failed',
    ]);
    expect(task.error).toMatch(/^deadline exceeded: attempt 4 of 4 on MED-001 did not finish within 1 s/);
  });
});
