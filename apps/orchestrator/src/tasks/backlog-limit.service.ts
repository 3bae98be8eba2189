import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { followCommits, TaskStore } from './store';

/** How often the backlog is counted in PostgreSQL (all replicas' tasks); between counts, local inserts add up. */
const COUNT_EVERY_MS = 1_000;
/** What a refused caller is told: a backlog drains at the agents' pace, not in a second. */
const RETRY_AFTER_SECONDS = 5;

/**
 * ORCHESTRATOR_PENDING_TASKS_MAX (issue 12): new work is refused while that many tasks wait for an agent slot, so
 * a flood of submissions cannot grow the table and every dispatch scan without bound. The check is a comparison
 * with a cached count (no query on the submit path): the count is taken once a second, bounded at the limit so it
 * costs at most that many index entries, plus what this replica inserted since. Other replicas' submissions show
 * up at the next count, so a burst across replicas can pass the limit by about one second of their intake.
 */
@Injectable()
export class BacklogLimit implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(BacklogLimit.name);
  private counted = 0;
  private insertedSince = 0;
  private timer?: NodeJS.Timeout;
  private counting?: Promise<void>;
  private subscription?: Subscription;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TaskStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Between counts, the tasks this replica committed since add up.
    this.subscription = followCommits(this.store.commits$, BacklogLimit.name, (c) => {
      this.insertedSince += c.inserted.length;
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), COUNT_EVERY_MS);
    this.timer.unref();
  }

  /** Tasks waiting for a slot, as far as this replica knows. */
  get pending(): number {
    return this.counted + this.insertedSince;
  }

  /** Throws 503 TASK_BACKLOG_FULL (with Retry-After) when `n` more tasks would pass the limit. */
  assertAccepting(n = 1): void {
    const max = this.config.limits.pendingTasksMax;
    if (this.pending + n <= max) return;
    throw new DomainException(
      'unavailable',
      'TASK_BACKLOG_FULL',
      `backlog: ${this.pending} tasks are waiting for an agent slot (ORCHESTRATOR_PENDING_TASKS_MAX ${max}); retry later`,
      { retry_after_seconds: RETRY_AFTER_SECONDS },
    );
  }

  private refresh(): Promise<void> {
    this.counting ??= this.count().finally(() => (this.counting = undefined));
    return this.counting;
  }

  private async count(): Promise<void> {
    const insertedBefore = this.insertedSince;
    try {
      // The partial index of undispatched pending tasks answers this; LIMIT caps the work at the limit.
      this.counted = await this.store.waitingCount(this.config.limits.pendingTasksMax + 1);
      // Inserts committed while the count ran may or may not be in it: keep them (errs towards refusing).
      this.insertedSince -= insertedBefore;
    } catch (error) {
      // Keep the last count: an outage shows up as DEPENDENCY_UNAVAILABLE on the submit itself.
      this.log.warn(`pending tasks not counted: ${(error as Error).message}`);
    }
  }

  beforeApplicationShutdown(): Promise<void> | undefined {
    if (this.timer) clearInterval(this.timer);
    this.subscription?.unsubscribe();
    return this.counting;
  }
}
