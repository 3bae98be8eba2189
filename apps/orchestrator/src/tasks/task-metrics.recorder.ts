import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { OrchestratorMetrics } from '../metrics/orchestrator-metrics';
import { followCommits, TaskStore } from './store';

/** The task counters and durations, from the committed changes (whichever part of the pipeline made them). */
@Injectable()
export class TaskMetricsRecorder implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;

  constructor(
    private readonly store: TaskStore,
    private readonly metrics: OrchestratorMetrics,
  ) {}

  onModuleInit(): void {
    this.subscription = followCommits(this.store.commits$, TaskMetricsRecorder.name, (c) => {
      if (c.inserted.length > 0) this.metrics.tasksTotal.inc({ status: 'pending' }, c.inserted.length);
      for (const s of c.started) {
        this.metrics.tasksTotal.inc({ status: 'in_progress' });
        if (s.attempt === 1) this.metrics.queueWait.observe(this.metrics.sinceSeconds(s.task_created_at, s.created_at));
      }
      for (const f of c.finished) {
        const status = f.status as 'completed' | 'failed' | 'canceled';
        this.metrics.tasksTotal.inc({ status });
        this.metrics.taskDuration.observe({ status }, this.metrics.sinceSeconds(f.task_created_at));
      }
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
