import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { dueFires, nextFireTimes } from './schedule-clock';
import { ScheduleFirer } from './schedule-firer';
import { ScheduleMetrics } from './schedule.metrics';
import { ScheduleRow, SchedulesRepository } from './schedules.repository';

const DUE_BATCH = 100;
/** A claim still `claimed` this long after it was made lost its replica before the start finished. */
const STALE_CLAIM_MS = 15_000;

/**
 * The clock of every replica: each tick fires what is due (claims decide who starts it), takes
 * over claims whose replica died mid-start, and starts queued fires whose predecessor finished.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Scheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: SchedulesRepository,
    private readonly firer: ScheduleFirer,
    private readonly metrics: ScheduleMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.orchestrator.schedulerTickMs;
    this.timer = setInterval(() => {
      if (!this.running && !this.stopped) this.running = this.tick().finally(() => (this.running = undefined));
    }, every);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; exported for tests. Errors (the database away) are logged and the next tick tries again. */
  async tick(now = new Date()): Promise<void> {
    try {
      for (const schedule of await this.store.due(now, DUE_BATCH)) {
        if (this.stopped) return;
        await this.fireDue(schedule, now);
      }
      await this.resumeOpenFires();
    } catch (error) {
      this.log.warn(`scheduler tick failed: ${(error as Error).message}`);
    }
  }

  private async fireDue(schedule: ScheduleRow, now: Date): Promise<void> {
    const { fires, missed } = dueFires(
      schedule.cron,
      schedule.timezone,
      schedule.next_fire_at ?? now,
      now,
      schedule.catch_up,
      schedule.catch_up_max,
      this.config.orchestrator.scheduleLateToleranceMs,
    );
    if (missed > 0) {
      this.metrics.missed.inc({ schedule: schedule.name }, missed);
      this.log.warn(`schedule ${schedule.name}: ${missed} fire time(s) missed (catch_up ${schedule.catch_up})`);
    }
    let last: Date | undefined;
    for (const f of fires) {
      const result = await this.firer.fire(schedule, f.time, f.trigger);
      if (result.outcome === 'retry') break; // the claim stays; resumeOpenFires starts it later
      last = f.time;
    }
    const [next] = nextFireTimes(schedule.cron, schedule.timezone, now, 1);
    await this.store.advance(schedule.schedule_id, last, next);
  }

  private async resumeOpenFires(): Promise<void> {
    const me = this.config.orchestrator.instanceId;
    const stale = await this.store.open('claimed', new Date(Date.now() - STALE_CLAIM_MS), DUE_BATCH);
    for (const fire of stale) {
      const schedule = await this.store.get(fire.schedule_id);
      if (schedule && (await this.store.takeOver(fire, 'claimed', me))) await this.firer.start(schedule, fire);
    }
    const queued = await this.store.open('queued', new Date(), DUE_BATCH);
    const seen = new Set<string>();
    for (const fire of queued) {
      // Oldest first, one per schedule per tick: a queue drains in fire order.
      if (seen.has(fire.schedule_id)) continue;
      seen.add(fire.schedule_id);
      const schedule = await this.store.get(fire.schedule_id);
      if (!schedule || (await this.store.previousStillRunning(fire.schedule_id))) continue;
      if (await this.store.takeOver(fire, 'queued', me)) await this.firer.start(schedule, fire);
    }
  }
}
