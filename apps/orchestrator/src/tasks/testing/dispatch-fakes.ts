import { Counter, Gauge, Histogram } from 'prom-client';
import { Subject } from 'rxjs';
import type { TaskExecuteMessage } from '@app/contracts';
import type { TaskBus } from '../../bus/task-bus.service';
import { OrchestratorMetrics } from '../../metrics/orchestrator-metrics';
import type { LeaseOutcome, RouteSpec, RoutingService } from '../../routing/routing.service';
import type { EventRow, FinishedRow } from '../sql';
import { emptyCommit, TaskChange, TaskCommit, TaskStore } from '../store';
import type { DispatchCandidate, DispatchItem } from '../task.types';

/**
 * Stand-ins for the I/O edge of the dispatcher and the deadline sweeper, for unit tests. Each writes what it was
 * asked to do to one shared `log`, so a test can check the order of what matters (commit before publish,
 * supersede before the new attempt goes out).
 */
export type Log = string[];

/**
 * The task store's surface for the dispatcher and the sweeper: `change` runs the real TaskChange over a fake
 * connection (the statements themselves are mocked by the specs) and logs begin/commit/rollback; each commit is
 * published on `commits$` as the real store does. `dispatch` is the group commit's (true: the task moved).
 */
export class FakeTaskStore {
  readonly commits = new Subject<TaskCommit>();
  readonly commits$ = this.commits.asObservable();
  readonly dispatch = jest.fn((item: DispatchItem) => {
    this.log.push(`record ${item.task_id}:${item.attempt} ${item.agent_id}`);
    return Promise.resolve(true);
  });
  readonly unstartedAttempts = jest.fn(() => Promise.resolve([] as unknown[]));
  readonly pendingCount = jest.fn(() => Promise.resolve(0));

  constructor(private readonly log: Log) {}

  async change<T>(work: (change: TaskChange) => Promise<T>): Promise<T> {
    this.log.push('begin');
    const change = new TaskChange({ query: jest.fn() }, emptyCommit());
    let result: T;
    try {
      result = await work(change);
    } catch (error) {
      this.log.push('rollback');
      throw error;
    }
    this.log.push('commit');
    this.commits.next(change.commit);
    return result;
  }

  asStore(): TaskStore {
    return this as unknown as TaskStore;
  }
}

/** The routing service's surface: `lease` answers by `outcome` (an agent for every attempt unless told otherwise). */
export class FakeRouting {
  /** An agent (its id) or a miss; an agent is answered as a lease whose `release` gives the slot back (logged). */
  outcome: (
    spec: RouteSpec,
    taskId: string,
  ) =>
    | { agent_id: string }
    | { miss: 'no_agent' | 'no_slot' }
    | Promise<{ agent_id: string } | { miss: 'no_agent' | 'no_slot' }> = () => ({ agent_id: 'DEV-002' });
  readonly lease = jest.fn(
    async (
      spec: RouteSpec,
      attempt: { task_id: string; attempt: number },
      _ttlMs: number,
      _avoid?: string | null,
    ): Promise<LeaseOutcome> => {
      const outcome = await this.outcome(spec, attempt.task_id);
      if (!('agent_id' in outcome)) return outcome;
      let released = false;
      return {
        agent_id: outcome.agent_id,
        release: () => {
          if (released) return;
          released = true;
          this.release(outcome.agent_id, attempt.task_id, attempt.attempt);
        },
      };
    },
  );
  readonly release = jest.fn((agentId: string | null | undefined, taskId: string, attempt: number) => {
    this.log.push(`release ${agentId ?? '-'} ${taskId}:${attempt}`);
  });

  constructor(private readonly log: Log) {}

  asService(): RoutingService {
    return this as unknown as RoutingService;
  }
}

/** The task bus: appends and signals are logged; `failExecute` makes appends fail. */
export class FakeBus {
  readonly executed: TaskExecuteMessage[] = [];
  failExecute?: Error;
  failSupersede?: Error;
  readonly execute = jest.fn((m: TaskExecuteMessage) => {
    if (this.failExecute) return Promise.reject(this.failExecute);
    this.log.push(`execute ${m.task_id}:${m.attempt} ${m.agent_id}`);
    this.executed.push(m);
    return Promise.resolve();
  });
  readonly supersede = jest.fn((taskId: string, attempt: number) => {
    if (this.failSupersede) return Promise.reject(this.failSupersede);
    this.log.push(`supersede ${taskId}:${attempt}`);
    return Promise.resolve();
  });
  readonly signalCancel = jest.fn((taskId: string) => {
    this.log.push(`cancel ${taskId}`);
    return Promise.resolve();
  });

  constructor(private readonly log: Log) {}

  asBus(): TaskBus {
    return this as unknown as TaskBus;
  }
}

/** The orchestrator's metrics as real prom-client instances in no registry, so a test can read them. */
export function testMetrics(): OrchestratorMetrics {
  const counter = (name: string, labelNames: string[] = []) =>
    new Counter({ name, help: name, labelNames, registers: [] });
  const histogram = (name: string, labelNames: string[] = []) =>
    new Histogram({ name, help: name, labelNames, registers: [] });
  return new OrchestratorMetrics(
    counter('tasks_total', ['status']),
    histogram('dispatch_latency'),
    histogram('queue_wait'),
    histogram('task_duration', ['status']),
    counter('workflow_runs', ['workflow', 'status']),
    counter('redispatches', ['reason']),
    new Gauge({ name: 'pending', help: 'pending', registers: [] }),
    histogram('batch_size'),
    histogram('commit_seconds'),
    counter('workflow_cost', ['workflow']),
  );
}

/** The value of a counter for one label set (0 when never incremented). */
export async function counted(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}

/** A task waiting for its next attempt (`attempt` is the one a dispatch creates). */
export function candidate(task_id: string, overrides: Partial<DispatchCandidate> = {}): DispatchCandidate {
  return {
    task_id,
    attempt: 1,
    title: `title of ${task_id}`,
    description: '',
    input: { n: 1 },
    requested_agent_id: null,
    role: 'backend_dev',
    capability: null,
    min_proficiency: null,
    timeout_seconds: 600,
    heartbeat_timeout_seconds: null,
    workflow_run_id: null,
    step_key: null,
    created_at: new Date(Date.now() - 1000).toISOString(),
    previous_agent_id: null,
    traceparent: null,
    budget: null,
    ...overrides,
  };
}

let eventId = 0;

/** The event row a statement writes for a change. */
export function eventRow(task_id: string, attempt: number, type: string, agent_id: string | null = null): EventRow {
  return {
    id: String(++eventId),
    task_id,
    attempt,
    type,
    status: type === 'failed' ? 'failed' : 'pending',
    agent_id,
    detail: null,
    created_at: new Date(),
  };
}

/** The row markFailed returns for a task it failed. */
export function finishedRow(task_id: string, attempt: number, error: string, agent_id: string | null): FinishedRow {
  return {
    ...eventRow(task_id, attempt, 'failed', agent_id),
    detail: { error },
    task_created_at: new Date(Date.now() - 5000),
    workflow_run_id: null,
  };
}
