import { loadConfig } from '@app/config';
import type { TaskResultMessage, TaskStartedMessage } from '@app/contracts';
import type { DedicatedConnection, Sql } from '@app/persistence';
import type { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import { GroupCommit } from './group-commit';
import { EventRow, findByIdempotencyKeys, flush, FlushParts, FlushRows } from '../sql';
import type { AcceptedTask, DispatchItem } from '../task.types';
import type { TaskCommit } from './task-commit';

// The group commit's logic without PostgreSQL: the one statement (flush) is replaced by a fake that answers as the
// real one does for rows in the expected state; the statement itself is covered by the e2e suites.
jest.mock('../sql', () => ({
  ...jest.requireActual<typeof import('../sql')>('../sql'),
  flush: jest.fn(),
  findByIdempotencyKeys: jest.fn(),
}));
const flushMock = flush as jest.MockedFunction<typeof flush>;
const findMock = findByIdempotencyKeys as jest.MockedFunction<typeof findByIdempotencyKeys>;

let eventId = 0;
const event = (task_id: string, attempt: number, type: string, status: EventRow['status']): EventRow => ({
  id: String(++eventId),
  task_id,
  attempt,
  type,
  status,
  agent_id: null,
  detail: null,
  created_at: new Date(),
});

/** What the statement does for rows in the expected state: every insert written, every dispatch applied. */
function answer(p: FlushParts, existing = new Map<string, { task_id: string; status: string }>()): FlushRows {
  const events: EventRow[] = [];
  const inserted = new Set<string>();
  for (const t of p.inserts) {
    if (t.idempotency_key !== null && existing.has(t.idempotency_key)) continue;
    inserted.add(t.task_id);
    events.push(event(t.task_id, 0, 'accepted', 'pending'));
  }
  for (const d of p.dispatches) events.push(event(d.task_id, d.attempt, 'dispatched', 'pending'));
  const started = [...p.starts, ...p.pairedStarts].map((m) => ({
    ...event(m.task_id, m.attempt, 'started', 'in_progress'),
    task_created_at: new Date(),
  }));
  const finished = p.results.map((m) => ({
    ...event(m.task_id, m.attempt, m.status, m.status),
    task_created_at: new Date(),
    workflow_run_id: null,
  }));
  const idempotent = new Map([...existing].filter(([key]) => p.idempotencyKeys.includes(key)));
  return { events: [...events, ...started, ...finished], inserted, idempotent, started, finished };
}

const task = (task_id: string, idempotency_key: string | null = null): AcceptedTask => ({
  task_id,
  title: task_id,
  description: '',
  input: {},
  requested_agent_id: null,
  role: 'backend_dev',
  capability: null,
  min_proficiency: null,
  priority: 5,
  timeout_seconds: 60,
  max_attempts: 3,
  queue_timeout_seconds: 600,
  heartbeat_timeout_seconds: null,
  idempotency_key,
  workflow_run_id: null,
  step_key: null,
  created_at: new Date().toISOString(),
  traceparent: null,
});

const started = (task_id: string, attempt = 1): TaskStartedMessage => ({
  task_id,
  attempt,
  agent_id: 'DEV-001',
  started_at: new Date().toISOString(),
});

const result = (
  task_id: string,
  attempt = 1,
  status: TaskResultMessage['status'] = 'completed',
  error?: string,
): TaskResultMessage => ({
  task_id,
  attempt,
  agent_id: 'DEV-001',
  status,
  result: { ok: true },
  error,
  started_at: new Date().toISOString(),
  completed_at: new Date().toISOString(),
});

const dispatch = (task_id: string, attempt = 1): DispatchItem => ({
  task_id,
  attempt,
  agent_id: 'DEV-001',
  deadline: new Date(Date.now() + 60_000).toISOString(),
  at: new Date().toISOString(),
  reason: null,
});

function writer(env: Record<string, string> = {}, publish: (commit: TaskCommit) => void = () => undefined) {
  const config = loadConfig({
    ORCHESTRATOR_GROUP_COMMIT_MS: '5',
    ORCHESTRATOR_GROUP_COMMIT_LANES: '1',
    ...env,
  });
  const metrics = {
    commitSeconds: { startTimer: () => () => undefined },
    batchSize: { observe: () => undefined },
  } as unknown as OrchestratorMetrics;
  const sql: Sql = { query: jest.fn() };
  // Each lane's own pg connection: a fake, counted.
  const ended = jest.fn(() => Promise.resolve());
  const connections = jest.fn((): Promise<DedicatedConnection> =>
    Promise.resolve({ sql, onLost: () => undefined, end: ended }),
  );
  const instance = new GroupCommit(config, metrics, connections, (commit) => publish(commit));
  const drops = jest.spyOn(instance as unknown as { dropConnection: () => void }, 'dropConnection');
  return { instance, connections, drops, ended };
}

beforeEach(() => {
  flushMock.mockReset();
  findMock.mockReset();
  flushMock.mockImplementation((_sql, parts) => Promise.resolve(answer(parts)));
  findMock.mockResolvedValue(new Map());
});

describe('GroupCommit (the task store’s lifecycle writes)', () => {
  it('writes changes that arrive together as one statement and answers callers only after it committed', async () => {
    const { instance } = writer();
    let commit!: () => void;
    flushMock.mockImplementationOnce(
      (_sql, parts) => new Promise((resolve) => (commit = () => resolve(answer(parts)))),
    );
    const answered: string[] = [];
    const a = instance.insert(task('a')).then((o) => answered.push(`a:${o.created}`));
    const b = instance.insert(task('b')).then((o) => answered.push(`b:${o.created}`));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(flushMock).toHaveBeenCalledTimes(1);
    expect(flushMock.mock.calls[0][1].inserts.map((t) => t.task_id)).toEqual(['a', 'b']);
    expect(answered).toEqual([]);
    commit();
    await Promise.all([a, b]);
    expect(answered).toEqual(['a:true', 'b:true']);
  });

  it('publishes each commit before the callers hear of it', async () => {
    const order: string[] = [];
    let seen: TaskCommit | undefined;
    const { instance } = writer({}, (commit) => {
      seen = commit;
      order.push('published');
    });
    await instance.insert(task('a')).then(() => order.push('caller'));
    expect(order).toEqual(['published', 'caller']);
    expect(seen?.inserted.map((t) => t.task_id)).toEqual(['a']);
    expect(seen?.events.map((e) => e.type)).toEqual(['accepted']);
  });

  it('answers its callers even when publishing a commit throws', async () => {
    const { instance } = writer({}, () => {
      throw new Error('a broken follower does not fail the committed change');
    });
    await expect(instance.insert(task('a'))).resolves.toMatchObject({ task_id: 'a', created: true });
  });

  it('publishes the slots of finished attempts as freed, with each outcome’s result and error', async () => {
    const commits: TaskCommit[] = [];
    const { instance } = writer({}, (c) => commits.push(c));
    await Promise.all([instance.result(result('a')), instance.result(result('b', 2, 'failed', 'boom'))]);
    const all = commits.flatMap((c) => c.freed);
    expect(all).toEqual([
      { agent_id: null, task_id: 'a', attempt: 1 },
      { agent_id: null, task_id: 'b', attempt: 2 },
    ]);
    expect(commits.flatMap((c) => c.finished).map((f) => [f.task_id, f.result])).toEqual([
      ['a', { ok: true }],
      ['b', { ok: true }],
    ]);
  });

  it('sends one submission per idempotency key; the others get its task id, not created', async () => {
    const { instance } = writer();
    const [first, second, other] = await Promise.all([
      instance.insert(task('t1', 'key-1')),
      instance.insert(task('t2', 'key-1')),
      instance.insert(task('t3', 'key-2')),
    ]);
    expect(flushMock).toHaveBeenCalledTimes(1);
    const parts = flushMock.mock.calls[0][1];
    expect(parts.inserts.map((t) => t.task_id)).toEqual(['t1', 't3']);
    expect(parts.idempotencyKeys).toEqual(['key-1', 'key-2']);
    expect(first).toEqual({ task_id: 't1', created: true, status: 'pending' });
    expect(second).toEqual({ task_id: 't1', created: false, status: 'pending' });
    expect(other).toEqual({ task_id: 't3', created: true, status: 'pending' });
  });

  it('answers a key already taken with the existing task and its status', async () => {
    const { instance } = writer();
    const existing = new Map([['key-1', { task_id: 'old', status: 'completed' }]]);
    flushMock.mockImplementation((_sql, parts) => Promise.resolve(answer(parts, existing)));
    expect(await instance.insert(task('new', 'key-1'))).toEqual({
      task_id: 'old',
      created: false,
      status: 'completed',
    });
  });

  it('looks up a key another transaction took while this one ran', async () => {
    const { instance } = writer();
    // The statement neither inserted the task nor saw the key (the other commit was not visible yet).
    flushMock.mockImplementation((_sql, parts) =>
      Promise.resolve({ ...answer(parts), inserted: new Set<string>(), events: [] }),
    );
    findMock.mockResolvedValue(new Map([['key-1', { task_id: 'theirs', status: 'pending' }]]));
    expect(await instance.insert(task('mine', 'key-1'))).toEqual({
      task_id: 'theirs',
      created: false,
      status: 'pending',
    });
    expect(findMock).toHaveBeenCalledWith(expect.anything(), ['key-1']);
  });

  it('refuses a submission whose id conflicts without a key instead of answering it as written', async () => {
    const { instance } = writer();
    flushMock.mockImplementation((_sql, parts) =>
      Promise.resolve({ ...answer(parts), inserted: new Set<string>(), events: [] }),
    );
    await expect(instance.insert(task('dup'))).rejects.toThrow('task dup was not written (id conflict)');
  });

  it('records a start and its result in the same batch as one change; a deadline miss only on the attempt', async () => {
    const { instance } = writer();
    await Promise.all([
      instance.started(started('fast')),
      instance.result(result('fast')),
      instance.started(started('slow')),
      instance.result(result('late', 2, 'failed', 'deadline_exceeded after 60s')),
    ]);
    const parts = flushMock.mock.calls[0][1];
    expect(parts.pairedStarts.map((m) => m.task_id)).toEqual(['fast']);
    expect(parts.starts.map((m) => m.task_id)).toEqual(['slow']);
    expect(parts.results.map((m) => m.task_id)).toEqual(['fast']);
    expect(parts.deadlineMisses.map((m) => m.task_id)).toEqual(['late']);
  });

  it('tells a dispatcher whether its dispatch moved the task', async () => {
    const { instance } = writer();
    flushMock.mockImplementation((_sql, parts) => {
      const rows = answer(parts);
      // The statement changes only rows in the expected state: task "gone" was canceled meanwhile.
      rows.events = rows.events.filter((e) => e.task_id !== 'gone');
      return Promise.resolve(rows);
    });
    expect(await Promise.all([instance.dispatch(dispatch('moved')), instance.dispatch(dispatch('gone'))])).toEqual([
      true,
      false,
    ]);
  });

  it('isolates a change that fails its batch: the neighbours are written one by one and succeed', async () => {
    const { instance } = writer();
    flushMock.mockImplementation((_sql, parts) =>
      parts.inserts.some((t) => t.task_id === 'bad')
        ? Promise.reject(Object.assign(new Error('invalid input syntax'), { code: '22P02' }))
        : Promise.resolve(answer(parts)),
    );
    const outcomes = await Promise.allSettled([
      instance.insert(task('ok-1')),
      instance.insert(task('bad')),
      instance.insert(task('ok-2')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The batch of three, then each alone.
    expect(flushMock.mock.calls.map((c) => c[1].inserts.map((t) => t.task_id))).toEqual([
      ['ok-1', 'bad', 'ok-2'],
      ['ok-1'],
      ['bad'],
      ['ok-2'],
    ]);
  });

  it('keeps its connection after a statement error but replaces it after a connection error', async () => {
    const { instance, drops } = writer();
    flushMock.mockRejectedValueOnce(Object.assign(new Error('unique violation'), { code: '23505' }));
    await expect(instance.insert(task('a'))).rejects.toThrow('unique violation');
    expect(drops).not.toHaveBeenCalled();
    flushMock.mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    await expect(instance.insert(task('b'))).rejects.toThrow('Connection terminated');
    expect(drops).toHaveBeenCalledTimes(1);
    expect(await instance.insert(task('c'))).toMatchObject({ task_id: 'c', created: true });
  });

  it("never lets a task's later change overtake an earlier one: a lane writes one batch at a time", async () => {
    const { instance } = writer({ ORCHESTRATOR_GROUP_COMMIT_LANES: '4' });
    const releases: (() => void)[] = [];
    flushMock.mockImplementation(
      (_sql, parts) => new Promise((resolve) => releases.push(() => resolve(answer(parts)))),
    );
    const first = instance.insert(task('t'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = instance.result(result('t'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The result waits for the insert's commit, on the same lane.
    expect(flushMock).toHaveBeenCalledTimes(1);
    releases[0]();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushMock).toHaveBeenCalledTimes(2);
    expect(flushMock.mock.calls[1][1].results.map((m) => m.task_id)).toEqual(['t']);
    releases[1]();
    await second;
  });

  it('splits a long queue into batches of ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH', async () => {
    const { instance } = writer({ ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH: '2' });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => instance.insert(task(id))));
    expect(flushMock.mock.calls.map((c) => c[1].inserts.length)).toEqual([2, 2, 1]);
  });

  it('refuses submissions with ORCHESTRATOR_BUSY while the queue is full, and takes them again once it drained', async () => {
    const { instance } = writer({ ORCHESTRATOR_GROUP_COMMIT_QUEUE_MAX: '2', ORCHESTRATOR_GROUP_COMMIT_MS: '20' });
    const queued = [instance.insert(task('a')), instance.insert(task('b'))];
    await expect(instance.insert(task('c'))).rejects.toMatchObject({ code: 'ORCHESTRATOR_BUSY' });
    expect(() => instance.assertAccepting()).toThrow('2 changes are waiting for the database');
    await Promise.all(queued);
    expect(() => instance.assertAccepting()).not.toThrow();
    await expect(instance.insert(task('c'))).resolves.toMatchObject({ created: true });
  });

  it('prepares the statement anew each time its inserts double from 500 (plans made for the tables of their time)', async () => {
    const { instance } = writer({ ORCHESTRATOR_GROUP_COMMIT_MAX_BATCH: '1000' });
    await Promise.all(Array.from({ length: 499 }, (_, i) => instance.insert(task(`a${i}`))));
    await instance.insert(task('x'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => instance.insert(task(`b${i}`))));
    const generations = flushMock.mock.calls.map((c) => c[2]);
    expect(generations).toEqual([0, 0, 1]);
  });

  it('writes what is queued at shutdown and refuses changes after it', async () => {
    const { instance } = writer({ ORCHESTRATOR_GROUP_COMMIT_MS: '1000' });
    const pending = instance.insert(task('last'));
    await instance.close();
    await expect(pending).resolves.toMatchObject({ task_id: 'last', created: true });
    await expect(instance.insert(task('after'))).rejects.toThrow('shut down');
  });
});
