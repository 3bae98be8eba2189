import { Logger } from '@nestjs/common';
import { loadConfig } from '@app/config';
import { Dispatcher } from './dispatcher.service';
import { backOffRouting, claimWaiting, markDispatched, unstartedAttempts, WaitingTask } from './sql';
import { TaskEventsHub } from './task-events.hub';
import { candidate, eventRow, FakeBus, FakeRouting, FakeTaskStore, Log, testMetrics } from './testing/dispatch-fakes';

// The dispatcher's decisions without PostgreSQL: its statements are replaced by fakes that answer as the real ones do
// for rows in the expected state; the statements themselves are covered by the e2e suites.
jest.mock('./sql', () => ({
  ...jest.requireActual<typeof import('./sql')>('./sql'),
  claimWaiting: jest.fn(),
  markDispatched: jest.fn(),
  backOffRouting: jest.fn(),
}));
const claimWaitingMock = claimWaiting as jest.MockedFunction<typeof claimWaiting>;
const markDispatchedMock = markDispatched as jest.MockedFunction<typeof markDispatched>;
const backOffMock = backOffRouting as jest.MockedFunction<typeof backOffRouting>;

const waiting = (task_id: string, o: Partial<WaitingTask> = {}): WaitingTask => ({
  ...candidate(task_id),
  max_attempts: 3,
  priority: 5,
  route_failures: 0,
  ...o,
});

function setup() {
  const log: Log = [];
  const config = loadConfig({
    ORCHESTRATOR_START_TIMEOUT_SECONDS: '60',
    ORCHESTRATOR_SLOT_LEASE_GRACE_SECONDS: '30',
    ORCHESTRATOR_ROUTE_BACKOFF_MAX_MS: '5000',
  });
  const routing = new FakeRouting(log);
  const bus = new FakeBus(log);
  const store = new FakeTaskStore(log);
  // The store publishes, after each commit, the events the change wrote: the hub makes them the events stream.
  const hub = new TaskEventsHub(store.asStore());
  const metrics = testMetrics();
  // The group commit's dispatch: true when it moved the task (false: canceled or dispatched elsewhere meanwhile).
  const writerDispatch = store.dispatch;
  // The attempts recorded but not started (read after a restart).
  const unstartedMock = store.unstartedAttempts as unknown as jest.MockedFunction<typeof unstartedAttempts>;
  const dispatcher = new Dispatcher(config, store.asStore(), routing.asService(), bus.asBus(), metrics);
  dispatcher.onModuleInit();
  const events: string[] = [];
  hub.events$.subscribe((e) => events.push(`${e.type} ${e.task_id}:${e.attempt}`));
  const state = dispatcher as unknown as { running?: Promise<void>; scanning?: Promise<void> };
  /** Until the fast path and the scan (and any scan it asked for again) are done. */
  const idle = async () => {
    while (state.running || state.scanning) await Promise.all([state.running, state.scanning]);
  };
  const scan = async () => {
    dispatcher.scanSoon();
    await idle();
  };
  return { log, routing, bus, metrics, dispatcher, writerDispatch, unstartedMock, store, events, idle, scan };
}

beforeEach(() => {
  claimWaitingMock.mockReset().mockResolvedValue([]);
  markDispatchedMock
    .mockReset()
    .mockImplementation((_q, items) =>
      Promise.resolve(items.map((i) => eventRow(i.task_id, i.attempt, 'dispatched', i.agent_id))),
    );
  backOffMock.mockReset().mockResolvedValue();
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('Dispatcher fast path (tasks this process just committed)', () => {
  it('leases a slot, records the attempt, then appends it to the agent’s stream', async () => {
    const { log, routing, bus, dispatcher, writerDispatch, idle } = setup();
    const before = Date.now();
    dispatcher.enqueue([candidate('t1', { timeout_seconds: 600, capability: 'sql', min_proficiency: 2 })]);
    await idle();
    // The lease lives for start timeout + execution timeout + grace at most.
    expect(routing.lease).toHaveBeenCalledWith(
      { agent_id: null, role: 'backend_dev', capability: 'sql', min_proficiency: 2 },
      expect.objectContaining({ task_id: 't1', attempt: 1 }),
      (60 + 600 + 30) * 1000,
      null,
    );
    const item = writerDispatch.mock.calls[0][0];
    expect(item).toMatchObject({ task_id: 't1', attempt: 1, agent_id: 'DEV-002', reason: null });
    expect(Date.parse(item.deadline) - before).toBeGreaterThanOrEqual(60_000);
    expect(log).toEqual(['record t1:1 DEV-002', 'execute t1:1 DEV-002']);
    expect(bus.executed[0]).toEqual({
      task_id: 't1',
      attempt: 1,
      agent_id: 'DEV-002',
      title: 'title of t1',
      description: '',
      input: { n: 1 },
      deadline: item.deadline,
      timeout_seconds: 600,
    });
  });

  it('sends the heartbeat period (a third of the timeout, at least 1 s), the workflow step and the budget with the attempt', async () => {
    const { bus, dispatcher, idle } = setup();
    dispatcher.enqueue([
      candidate('t1', {
        heartbeat_timeout_seconds: 30,
        workflow_run_id: 'run-1',
        step_key: 'review',
        budget: { max_tokens: 1000 },
      }),
      candidate('t2', { heartbeat_timeout_seconds: 2 }),
    ]);
    await idle();
    expect(bus.executed[0]).toMatchObject({
      heartbeat_seconds: 10,
      workflow_run_id: 'run-1',
      step_id: 'review',
      budget: { max_tokens: 1000 },
    });
    expect(bus.executed[1].heartbeat_seconds).toBe(1);
  });

  it('gives the lease back and sends nothing when the dispatch did not apply or failed', async () => {
    const { log, routing, bus, dispatcher, writerDispatch, idle } = setup();
    writerDispatch.mockResolvedValueOnce(false).mockRejectedValueOnce(new Error('connection lost'));
    dispatcher.enqueue([candidate('canceled'), candidate('failed'), candidate('ok')]);
    await idle();
    expect(routing.release.mock.calls).toEqual([
      ['DEV-002', 'canceled', 1],
      ['DEV-002', 'failed', 1],
    ]);
    expect(bus.executed.map((m) => m.task_id)).toEqual(['ok']);
    expect(log).not.toContain('execute canceled:1 DEV-002');
  });

  it('makes a route congested when it has no free slot: its next tasks queue behind instead of leasing', async () => {
    const { routing, dispatcher, writerDispatch, idle } = setup();
    routing.outcome = (spec) => (spec.role === 'backend_dev' ? { miss: 'no_slot' } : { agent_id: 'DEV-002' });
    dispatcher.enqueue([candidate('t1')]);
    await idle();
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(true);
    expect(dispatcher.isCongested({ role: 'frontend_dev' })).toBe(false);
    routing.lease.mockClear();
    dispatcher.enqueue([candidate('t2'), candidate('t3', { role: 'frontend_dev' })]);
    await idle();
    expect(routing.lease.mock.calls.map((c) => c[1].task_id)).toEqual(['t3']);
    expect(writerDispatch.mock.calls.map((c) => c[0].task_id)).toEqual(['t3']);
  });

  it('does not congest a route that has no agent at all (its tasks back off in the scan instead)', async () => {
    const { routing, dispatcher, idle } = setup();
    routing.outcome = () => ({ miss: 'no_agent' });
    dispatcher.enqueue([candidate('t1')]);
    await idle();
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(false);
  });

  it('counts a lease that failed (Redis down) as no slot: the scan retries the task', async () => {
    const { routing, dispatcher, writerDispatch, idle } = setup();
    routing.outcome = () => Promise.reject(new Error('Redis down'));
    dispatcher.enqueue([candidate('t1')]);
    await idle();
    expect(writerDispatch).not.toHaveBeenCalled();
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(true);
  });

  it('keeps going when an append fails (the start deadline re-sends the recorded attempt)', async () => {
    const { bus, dispatcher, writerDispatch, idle } = setup();
    bus.failExecute = new Error('Redis did not acknowledge');
    dispatcher.enqueue([candidate('t1'), candidate('t2')]);
    await idle();
    expect(writerDispatch).toHaveBeenCalledTimes(2);
    expect(bus.execute).toHaveBeenCalledTimes(2);
  });
});

describe('Dispatcher scan (waiting tasks, durable path)', () => {
  it('leases, records and sends each route’s tasks in order; a full route waits, a route with no agent backs off', async () => {
    const { log, routing, bus, dispatcher, events, scan } = setup();
    routing.outcome = (spec, taskId) => {
      if (spec.role === 'nobody') return { miss: 'no_agent' };
      return taskId === 'b2' ? { miss: 'no_slot' } : { agent_id: 'DEV-002' };
    };
    claimWaitingMock.mockResolvedValueOnce([
      waiting('b1'),
      waiting('b2'),
      waiting('b3'),
      waiting('n1', { role: 'nobody' }),
      waiting('n2', { role: 'nobody' }),
    ]);
    await scan();
    expect(markDispatchedMock.mock.calls[0][1].map((i) => `${i.task_id}:${i.attempt} ${i.agent_id}`)).toEqual([
      'b1:1 DEV-002',
    ]);
    expect(backOffMock).toHaveBeenCalledWith(expect.anything(), ['n1', 'n2'], 5000);
    // Sent only after the commit.
    expect(log).toEqual(['begin', 'commit', 'execute b1:1 DEV-002']);
    expect(bus.executed.map((m) => m.task_id)).toEqual(['b1']);
    expect(events).toEqual(['dispatched b1:1']);
    // b3 was not tried after b2 missed (the first in line gets the next free slot); n2 not after n1 (routes lease in parallel).
    expect(routing.lease.mock.calls.map((c) => c[1].task_id).sort()).toEqual(['b1', 'b2', 'n1']);
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(true);
    expect(dispatcher.isCongested({ role: 'nobody' })).toBe(false);
  });

  it('gives back the lease of a task another replica dispatched first', async () => {
    const { routing, bus, scan } = setup();
    claimWaitingMock.mockResolvedValueOnce([waiting('mine'), waiting('theirs')]);
    markDispatchedMock.mockImplementationOnce((_q, items) =>
      Promise.resolve(
        items.filter((i) => i.task_id === 'mine').map((i) => eventRow(i.task_id, i.attempt, 'dispatched')),
      ),
    );
    await scan();
    expect(routing.release.mock.calls).toEqual([['DEV-002', 'theirs', 1]]);
    expect(bus.executed.map((m) => m.task_id)).toEqual(['mine']);
  });

  it('rolls back, gives back the leases it took and sends nothing when the transaction fails', async () => {
    const { log, bus, scan } = setup();
    claimWaitingMock.mockResolvedValueOnce([waiting('t1')]);
    markDispatchedMock.mockRejectedValueOnce(new Error('deadlock detected'));
    await scan();
    expect(log).toEqual(['begin', 'rollback', 'release DEV-002 t1:1']);
    expect(bus.execute).not.toHaveBeenCalled();
  });

  it('pages through the waiting tasks after the last one seen, leaving out routes found full', async () => {
    const { routing, scan } = setup();
    routing.outcome = (spec) => (spec.role === 'full' ? { miss: 'no_slot' } : { agent_id: 'DEV-002' });
    const page = Array.from({ length: 100 }, (_, i) => waiting(`t${i}`, { role: i === 0 ? 'full' : 'backend_dev' }));
    claimWaitingMock.mockResolvedValueOnce(page).mockResolvedValueOnce([waiting('last')]);
    await scan();
    expect(claimWaitingMock).toHaveBeenCalledTimes(2);
    const [, limit, minAgeMs, skipFirst, first] = claimWaitingMock.mock.calls[0];
    expect([limit, minAgeMs, skipFirst, first]).toEqual([100, 500, [], null]);
    const [, , , skipRoutes, cursor] = claimWaitingMock.mock.calls[1];
    expect(skipRoutes).toEqual(['role:full']);
    expect(cursor).toEqual({ priority: 5, created_at: page[99].created_at, task_id: 't99' });
  });

  it('uncongests a route once a scan finds nothing of it waiting, and scans again when a slot frees while congested', async () => {
    const { routing, dispatcher, idle, scan } = setup();
    routing.outcome = () => ({ miss: 'no_slot' });
    claimWaitingMock.mockResolvedValueOnce([waiting('t1')]);
    await scan();
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(true);
    dispatcher.slotFreed();
    await idle();
    expect(claimWaitingMock).toHaveBeenCalledTimes(2);
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(false);
    // Nothing congested: a freed slot costs no scan.
    dispatcher.slotFreed();
    await idle();
    expect(claimWaitingMock).toHaveBeenCalledTimes(2);
  });

  it('runs one scan at a time, and once more when asked during one', async () => {
    const { dispatcher, idle } = setup();
    let claim!: () => void;
    claimWaitingMock.mockImplementationOnce(() => new Promise((resolve) => (claim = () => resolve([]))));
    dispatcher.scanSoon();
    await new Promise((resolve) => setImmediate(resolve));
    dispatcher.scanSoon();
    dispatcher.scanSoon();
    expect(claimWaitingMock).toHaveBeenCalledTimes(1);
    claim();
    await idle();
    expect(claimWaitingMock).toHaveBeenCalledTimes(2);
  });

  it('keeps a route congested that the fast path found full during the scan', async () => {
    const { routing, dispatcher, idle } = setup();
    let claim!: () => void;
    claimWaitingMock.mockImplementationOnce(() => new Promise((resolve) => (claim = () => resolve([]))));
    dispatcher.scanSoon();
    await new Promise((resolve) => setImmediate(resolve));
    // A task accepted meanwhile finds its route full; it is too young for this scan's query.
    routing.outcome = () => ({ miss: 'no_slot' });
    dispatcher.enqueue([candidate('young')]);
    await new Promise((resolve) => setImmediate(resolve));
    claim();
    await idle();
    expect(dispatcher.isCongested({ role: 'backend_dev' })).toBe(true);
  });
});

describe('Dispatcher after a restart', () => {
  it('appends again the attempts recorded but not started, with the same attempt number and deadline', async () => {
    const { bus, dispatcher, routing, unstartedMock } = setup();
    const deadline = new Date(Date.now() + 30_000).toISOString();
    unstartedMock.mockResolvedValueOnce([
      {
        ...candidate('t1', { attempt: 3, previous_agent_id: 'DEV-001' }),
        max_attempts: 3,
        current_attempt: 2,
        deadline,
      },
    ]);
    await (dispatcher as unknown as { resendUnstarted(): Promise<void> }).resendUnstarted();
    expect(bus.executed).toEqual([
      expect.objectContaining({ task_id: 't1', attempt: 2, agent_id: 'DEV-001', deadline }),
    ]);
    expect(routing.lease).not.toHaveBeenCalled();
  });
});

describe('Dispatcher timings', () => {
  it('gives a lease start timeout + execution timeout + grace, and an attempt the start timeout to start', () => {
    const { dispatcher } = setup();
    expect(dispatcher.leaseTtlMs(120)).toBe((60 + 120 + 30) * 1000);
    expect(dispatcher.startDeadline(0)).toBe(new Date(60_000).toISOString());
  });

  it('does nothing once shut down', async () => {
    const { dispatcher, routing } = setup();
    await dispatcher.beforeApplicationShutdown();
    dispatcher.enqueue([candidate('t1')]);
    dispatcher.scanSoon();
    expect(routing.lease).not.toHaveBeenCalled();
    expect(claimWaitingMock).not.toHaveBeenCalled();
  });
});
