import { Logger } from '@nestjs/common';
import { loadConfig } from '@app/config';
import { DeadlineSweeper } from './deadline-sweeper.service';
import { Dispatcher } from './dispatcher.service';
import {
  claimOverdue,
  claimQueueExpired,
  markDispatched,
  markFailed,
  OverdueRow,
  QueueExpiredRow,
  timeOutAttempts,
} from './sql';
import { TaskEventsHub } from './task-events.hub';
import { TaskMetricsRecorder } from './task-metrics.recorder';
import { DispatchItem, TaskOutcomeNotice } from './task.types';
import {
  candidate,
  counted,
  eventRow,
  FakeTaskStore,
  FakeBus,
  FakeRouting,
  finishedRow,
  Log,
  testMetrics,
} from './testing/dispatch-fakes';

// The sweeper's decisions without PostgreSQL: its statements are replaced by fakes that answer as the real ones do
// for rows in the expected state (every change applied); the statements themselves are covered by the e2e suites.
jest.mock('./sql', () => ({
  ...jest.requireActual<typeof import('./sql')>('./sql'),
  claimOverdue: jest.fn(),
  claimQueueExpired: jest.fn(),
  timeOutAttempts: jest.fn(),
  markDispatched: jest.fn(),
  markFailed: jest.fn(),
}));
const claimOverdueMock = claimOverdue as jest.MockedFunction<typeof claimOverdue>;
const claimQueueExpiredMock = claimQueueExpired as jest.MockedFunction<typeof claimQueueExpired>;
const timeOutMock = timeOutAttempts as jest.MockedFunction<typeof timeOutAttempts>;
const markDispatchedMock = markDispatched as jest.MockedFunction<typeof markDispatched>;
const markFailedMock = markFailed as jest.MockedFunction<typeof markFailed>;

/** An attempt past its deadline: `current_attempt` of the task's `max_attempts`, on `previous_agent_id`. */
function overdue(task_id: string, o: Partial<OverdueRow> = {}): OverdueRow {
  const current = o.current_attempt ?? 1;
  return {
    ...candidate(task_id, { attempt: current + 1, previous_agent_id: 'DEV-001' }),
    max_attempts: 3,
    current_attempt: current,
    deadline: new Date(Date.now() - 1000).toISOString(),
    started: true,
    heartbeat_missed: false,
    ...o,
  };
}

function queueExpired(task_id: string, o: Partial<QueueExpiredRow> = {}): QueueExpiredRow {
  return {
    task_id,
    attempt: 0,
    agent_id: null,
    dispatched: false,
    queue_timeout_seconds: 600,
    route_failures: 0,
    role: 'backend_dev',
    capability: null,
    requested_agent_id: null,
    ...o,
  };
}

function setup() {
  const log: Log = [];
  const config = loadConfig({ ORCHESTRATOR_START_TIMEOUT_SECONDS: '60' });
  const routing = new FakeRouting(log);
  const bus = new FakeBus(log);
  // The store publishes each commit; the hub, the metrics and the dispatcher (freed slots) follow it, as in the app.
  const store = new FakeTaskStore(log);
  const hub = new TaskEventsHub(store.asStore());
  const metrics = testMetrics();
  new TaskMetricsRecorder(store.asStore(), metrics).onModuleInit();
  const dispatcher = new Dispatcher(config, store.asStore(), routing.asService(), bus.asBus(), metrics);
  dispatcher.onModuleInit();
  const slotFreed = jest.spyOn(dispatcher, 'slotFreed').mockImplementation(() => log.push('slotFreed'));
  const scanSoon = jest.spyOn(dispatcher, 'scanSoon').mockImplementation(() => log.push('scanSoon'));
  const sweeper = new DeadlineSweeper(config, store.asStore(), dispatcher, bus.asBus(), metrics);
  const events: string[] = [];
  hub.events$.subscribe((e) => events.push(`${e.type} ${e.task_id}:${e.attempt}`));
  const outcomes: TaskOutcomeNotice[] = [];
  hub.outcomes$.subscribe((o) => outcomes.push(o));
  /** One sweep (deadlines, then queue timeouts), awaited. */
  const sweep = async () => {
    sweeper.sweepSoon();
    await (sweeper as unknown as { sweeping?: Promise<void> }).sweeping;
  };
  return { log, routing, bus, metrics, sweeper, slotFreed, scanSoon, events, outcomes, sweep };
}

beforeEach(() => {
  claimOverdueMock.mockReset().mockResolvedValue([]);
  claimQueueExpiredMock.mockReset().mockResolvedValue([]);
  // What the statements do for rows in the expected state: every attempt timed out, dispatch applied, task failed.
  timeOutMock
    .mockReset()
    .mockImplementation((_q, items) =>
      Promise.resolve(items.map((i) => eventRow(i.task_id, i.attempt, 'timed_out', i.agent_id))),
    );
  markDispatchedMock
    .mockReset()
    .mockImplementation((_q, items: DispatchItem[]) =>
      Promise.resolve(items.map((i) => eventRow(i.task_id, i.attempt, 'dispatched', i.agent_id))),
    );
  markFailedMock
    .mockReset()
    .mockImplementation((_q, items) =>
      Promise.resolve(items.map((i) => finishedRow(i.task_id, i.attempt, i.error, 'DEV-001'))),
    );
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('DeadlineSweeper: an attempt past its deadline', () => {
  it('is timed out and sent again, to another agent, superseded before the new attempt goes out', async () => {
    const { log, routing, bus, metrics, sweep, events } = setup();
    claimOverdueMock.mockResolvedValueOnce([overdue('t1')]);
    const before = Date.now();
    await sweep();
    // The old attempt's slot is freed; the new one prefers another agent than the one that missed.
    expect(routing.release).toHaveBeenCalledWith('DEV-001', 't1', 1);
    expect(routing.lease).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ attempt: 2 }),
      expect.any(Number),
      'DEV-001',
    );
    expect(timeOutMock.mock.calls[0][1]).toEqual([{ task_id: 't1', attempt: 1, agent_id: 'DEV-001', requeue: false }]);
    const [item] = markDispatchedMock.mock.calls[0][1];
    expect(item).toMatchObject({ task_id: 't1', attempt: 2, agent_id: 'DEV-002', reason: 'deadline' });
    // A new start deadline: ORCHESTRATOR_START_TIMEOUT_SECONDS from now.
    expect(Date.parse(item.deadline) - before).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(item.deadline) - Date.now()).toBeLessThanOrEqual(60_000);
    expect(markFailedMock.mock.calls[0][1]).toEqual([]);
    expect(log).toEqual([
      'begin',
      'release DEV-001 t1:1',
      'commit',
      'supersede t1:2',
      'execute t1:2 DEV-002',
      'slotFreed',
      'begin',
      'commit',
    ]);
    expect(bus.executed[0]).toMatchObject({ task_id: 't1', attempt: 2, agent_id: 'DEV-002', title: 'title of t1' });
    expect(events).toEqual(['timed_out t1:1', 'dispatched t1:2']);
    expect(await counted(metrics.redispatches, { reason: 'deadline' })).toBe(1);
  });

  it('goes back to waiting when no agent has a free slot, and the scan runs soon', async () => {
    const { log, routing, bus, metrics, sweep, scanSoon } = setup();
    routing.outcome = () => ({ miss: 'no_slot' });
    claimOverdueMock.mockResolvedValueOnce([overdue('t1')]);
    await sweep();
    expect(timeOutMock.mock.calls[0][1]).toEqual([{ task_id: 't1', attempt: 1, agent_id: 'DEV-001', requeue: true }]);
    expect(markDispatchedMock.mock.calls[0][1]).toEqual([]);
    expect(markFailedMock.mock.calls[0][1]).toEqual([]);
    expect(bus.execute).not.toHaveBeenCalled();
    expect(log).toContain('supersede t1:2');
    expect(scanSoon).toHaveBeenCalledTimes(1);
    expect(await counted(metrics.redispatches, { reason: 'deadline' })).toBe(1);
  });

  it('does not wake the scan when every overdue task went out again or failed', async () => {
    const { sweep, scanSoon } = setup();
    claimOverdueMock.mockResolvedValueOnce([overdue('t1'), overdue('t2', { current_attempt: 3 })]);
    await sweep();
    expect(scanSoon).not.toHaveBeenCalled();
  });

  it('fails the task at max_attempts without leasing, with why the last attempt missed its deadline', async () => {
    const { routing, sweep } = setup();
    claimOverdueMock.mockResolvedValueOnce([
      overdue('never-started', { current_attempt: 3, started: false }),
      overdue('silent', { current_attempt: 3, heartbeat_missed: true, heartbeat_timeout_seconds: 30 }),
      overdue('slow', { current_attempt: 2, max_attempts: 2, previous_agent_id: null }),
    ]);
    await sweep();
    expect(routing.lease).not.toHaveBeenCalled();
    expect(markFailedMock.mock.calls[0][1]).toEqual([
      {
        task_id: 'never-started',
        attempt: 3,
        error: 'deadline exceeded: attempt 3 of 3 on DEV-001 did not start within 60 s',
      },
      {
        task_id: 'silent',
        attempt: 3,
        error: 'deadline exceeded: attempt 3 of 3 on DEV-001 sent no progress heartbeat within 30 s',
      },
      { task_id: 'slow', attempt: 2, error: 'deadline exceeded: attempt 2 of 2 did not finish within 600 s' },
    ]);
    expect(timeOutMock.mock.calls[0][1].map((i) => i.requeue)).toEqual([false, false, false]);
  });

  it('tells the host to stop a failed task and the listeners that it failed', async () => {
    const { log, metrics, sweep, outcomes } = setup();
    claimOverdueMock.mockResolvedValueOnce([overdue('t1', { current_attempt: 3 })]);
    await sweep();
    expect(log).toEqual(expect.arrayContaining(['supersede t1:4', 'cancel t1']));
    expect(log.indexOf('cancel t1')).toBeGreaterThan(log.indexOf('commit'));
    expect(outcomes).toEqual([
      {
        task_id: 't1',
        workflow_run_id: null,
        status: 'failed',
        result: null,
        error: 'deadline exceeded: attempt 3 of 3 on DEV-001 did not finish within 600 s',
        agent_id: 'DEV-001',
      },
    ]);
    expect(await counted(metrics.tasksTotal, { status: 'failed' })).toBe(1);
    expect(await counted(metrics.redispatches, { reason: 'deadline' })).toBe(0);
  });

  it('gives back the new lease of a re-dispatch the statement did not apply (the task changed meanwhile)', async () => {
    const { routing, bus, sweep, events } = setup();
    claimOverdueMock.mockResolvedValueOnce([overdue('t1'), overdue('gone')]);
    markDispatchedMock.mockImplementationOnce((_q, items) =>
      Promise.resolve(
        items.filter((i) => i.task_id !== 'gone').map((i) => eventRow(i.task_id, i.attempt, 'dispatched', i.agent_id)),
      ),
    );
    await sweep();
    expect(routing.release.mock.calls).toEqual([
      ['DEV-001', 't1', 1],
      ['DEV-001', 'gone', 1],
      ['DEV-002', 'gone', 2],
    ]);
    expect(bus.executed.map((m) => m.task_id)).toEqual(['t1']);
    expect(events).toContain('dispatched t1:2');
    expect(events).not.toContain('dispatched gone:2');
  });

  it('still sends the new attempt when the supersede signal could not be sent (the attempt row voids the old one)', async () => {
    const { bus, sweep } = setup();
    bus.failSupersede = new Error('Redis down');
    claimOverdueMock.mockResolvedValueOnce([overdue('t1')]);
    await sweep();
    expect(bus.executed.map((m) => `${m.task_id}:${m.attempt}`)).toEqual(['t1:2']);
  });

  it('rolls back and sends nothing when a statement fails', async () => {
    const { log, bus, sweep, events, outcomes } = setup();
    claimOverdueMock.mockResolvedValueOnce([overdue('t1'), overdue('t2', { current_attempt: 3 })]);
    markFailedMock.mockRejectedValueOnce(new Error('deadlock detected'));
    await sweep();
    expect(log).toContain('rollback');
    expect(log).not.toContain('commit');
    expect(bus.execute).not.toHaveBeenCalled();
    expect(bus.supersede).not.toHaveBeenCalled();
    expect(events).toEqual([]);
    expect(outcomes).toEqual([]);
    // The slot leased for t1's attempt 2 is given back: no attempt will use it.
    expect(log.indexOf('release DEV-002 t1:2')).toBeGreaterThan(log.indexOf('rollback'));
  });

  it('runs one sweep at a time', async () => {
    const { sweeper } = setup();
    let claim!: () => void;
    claimOverdueMock.mockImplementationOnce(() => new Promise((resolve) => (claim = () => resolve([]))));
    sweeper.sweepSoon();
    await new Promise((resolve) => setImmediate(resolve));
    // The timer fires again while the first sweep waits for its rows: nothing more starts.
    sweeper.sweepSoon();
    claim();
    await (sweeper as unknown as { sweeping?: Promise<void> }).sweeping;
    expect(claimOverdueMock).toHaveBeenCalledTimes(1);
  });
});

describe('DeadlineSweeper: a task not started within its queue timeout', () => {
  it('fails with why: never routed, every agent busy, or its attempt never started', async () => {
    const { sweep, outcomes } = setup();
    claimQueueExpiredMock.mockResolvedValueOnce([
      queueExpired('unroutable', { route_failures: 2, capability: 'sql', role: null }),
      queueExpired('busy', { requested_agent_id: 'DEV-009' }),
      queueExpired('stuck', { dispatched: true, attempt: 1, agent_id: 'DEV-001' }),
    ]);
    await sweep();
    expect(markFailedMock.mock.calls.at(-1)?.[1]).toEqual([
      {
        task_id: 'unroutable',
        attempt: 0,
        error: 'queue timeout: not started within 600 s of acceptance (no agent online for capability sql)',
      },
      {
        task_id: 'busy',
        attempt: 0,
        error: 'queue timeout: not started within 600 s of acceptance (every agent for agent DEV-009 was busy)',
      },
      {
        task_id: 'stuck',
        attempt: 1,
        error: 'queue timeout: not started within 600 s of acceptance (attempt 1 on DEV-001 never started)',
      },
    ]);
    expect(outcomes.map((o) => `${o.task_id} ${o.status}`)).toEqual([
      'unroutable failed',
      'busy failed',
      'stuck failed',
    ]);
  });

  it('times out, releases and supersedes only an attempt that was sent, after the commit', async () => {
    const { log, routing, sweep, events } = setup();
    claimQueueExpiredMock.mockResolvedValueOnce([
      queueExpired('waiting'),
      queueExpired('stuck', { dispatched: true, attempt: 1, agent_id: 'DEV-001' }),
    ]);
    await sweep();
    expect(timeOutMock.mock.calls.at(-1)?.[1]).toEqual([
      { task_id: 'stuck', attempt: 1, agent_id: 'DEV-001', requeue: false },
    ]);
    expect(routing.release.mock.calls).toEqual([['DEV-001', 'stuck', 1]]);
    const commit = log.lastIndexOf('commit');
    // The commit frees the slot as it is published (the waiting tasks may go); the signals follow.
    expect(log.slice(commit)).toEqual([
      'commit',
      'release DEV-001 stuck:1',
      'slotFreed',
      'supersede stuck:2',
      'cancel waiting',
      'cancel stuck',
    ]);
    expect(events).toEqual(['timed_out stuck:1', 'failed waiting:0', 'failed stuck:1']);
  });

  it('frees no slot when no expired task had an attempt out', async () => {
    const { sweep, slotFreed } = setup();
    claimQueueExpiredMock.mockResolvedValueOnce([queueExpired('waiting')]);
    await sweep();
    expect(slotFreed).not.toHaveBeenCalled();
  });
});
