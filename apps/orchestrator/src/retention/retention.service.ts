import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RetentionKind, RetentionRepository } from './retention.repository';

/** Pause between batches so a large backlog never holds the database for long. */
const BATCH_PAUSE_MS = 50;

/**
 * Keeps history from growing forever: every ORCHESTRATOR_RETENTION_INTERVAL_MS, finished tasks
 * (with attempts and events), finished workflow runs (with steps and events), schedule fire
 * records and finished webhook deliveries older than ORCHESTRATOR_RETENTION_DAYS are deleted
 * (tasks and runs may be archived instead), in small batches.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running?: Promise<Record<RetentionKind, number>>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RetentionRepository,
    @InjectMetric('orchestrator_retention_removed_total') private readonly removed: Counter<'kind' | 'mode'>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.orchestrator.retentionDays === 0) return; // 0 keeps everything
    this.timer = setInterval(() => void this.pass(), this.config.orchestrator.retentionIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One full pass (every batch until nothing old is left); concurrent calls share it. */
  pass(now = new Date()): Promise<Record<RetentionKind, number>> {
    this.running ??= this.run(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(now: Date): Promise<Record<RetentionKind, number>> {
    const { retentionDays, retentionBatch: batch, retentionMode: mode } = this.config.orchestrator;
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const totals: Record<RetentionKind, number> = { tasks: 0, runs: 0, schedule_fires: 0, webhook_deliveries: 0 };
    const steps: [RetentionKind, () => Promise<number>][] = [
      ['tasks', () => this.store.purgeTasks(cutoff, batch, mode)],
      ['runs', () => this.store.purgeRuns(cutoff, batch, mode)],
      ['schedule_fires', () => this.store.purgeScheduleFires(cutoff, batch)],
      ['webhook_deliveries', () => this.store.purgeWebhookDeliveries(cutoff, batch)],
    ];
    try {
      for (const [kind, purge] of steps) {
        for (let n = batch; n >= batch && !this.stopped;) {
          n = await purge();
          totals[kind] += n;
          this.removed.inc({ kind, mode: kind === 'tasks' || kind === 'runs' ? mode : 'delete' }, n);
          if (n >= batch) await new Promise((r) => setTimeout(r, BATCH_PAUSE_MS));
        }
      }
    } catch (error) {
      this.log.warn(`retention pass stopped: ${(error as Error).message}`);
    }
    const sum = totals.tasks + totals.runs + totals.schedule_fires + totals.webhook_deliveries;
    if (sum > 0)
      this.log.log(
        `${mode === 'archive' ? 'archived' : 'deleted'} ${totals.tasks} task(s), ${totals.runs} run(s), ` +
          `${totals.schedule_fires} fire record(s), ${totals.webhook_deliveries} webhook delivery(ies) finished before ${cutoff.toISOString()}`,
      );
    return totals;
  }
}

@Module({
  providers: [
    makeCounterProvider({
      name: 'orchestrator_retention_removed_total',
      help: 'History removed by retention (kind: tasks, runs, schedule_fires, webhook_deliveries; mode: delete or archive)',
      labelNames: ['kind', 'mode'],
    }),
    RetentionRepository,
    RetentionService,
  ],
  exports: [RetentionService],
})
export class RetentionModule {}
