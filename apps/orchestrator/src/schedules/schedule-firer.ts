import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { actorOf, AuditScope, AuditService, Principal } from '@app/auth';
import { DomainException, isDependencyOutage } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CreateTaskDto } from '../tasks/dto/create-task.dto';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { FireTrigger } from './schedule-clock';
import { FireRow, ScheduleRow, SchedulesRepository } from './schedules.repository';
import { ScheduleMetrics } from './schedule.metrics';

export type FireResult = { outcome: 'started' | 'queued' | 'skipped' | 'failed' | 'duplicate' | 'retry' };

/**
 * Starts one fire of a schedule exactly once across replicas: the fire is claimed by inserting
 * its (schedule_id, fire_time) row, then its target starts under an id fixed by the claim (the
 * run id, or the task's idempotency key), so a replica that takes over a claim whose owner died
 * starts the same run or task, never a second one.
 */
@Injectable()
export class ScheduleFirer {
  private readonly log = new Logger('Scheduler');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: SchedulesRepository,
    private readonly workflows: WorkflowsService,
    private readonly tasks: TasksService,
    private readonly metrics: ScheduleMetrics,
    private readonly audit: AuditService,
  ) {}

  /** `audit`: a manual trigger's row commits with the fire's claim (what starts later is recorded as the schedule's). */
  async fire(schedule: ScheduleRow, time: Date, trigger: FireTrigger, audit?: AuditScope): Promise<FireResult> {
    const busy = schedule.overlap !== 'allow' && (await this.store.previousStillRunning(schedule.schedule_id));
    const outcome = busy ? (schedule.overlap === 'queue' ? 'queued' : 'skipped') : 'claimed';
    const runId = schedule.target.workflow ? randomUUID() : null;
    const me = this.config.orchestrator.instanceId;
    const claimed = await this.audit.transaction(audit, async (tx) => {
      const done = await this.store.claim(schedule.schedule_id, time, trigger, outcome, me, runId, tx);
      const detail = { fire_time: time.toISOString(), outcome };
      return { value: done, resource: done ? `schedule:${schedule.schedule_id}` : undefined, detail };
    });
    if (!claimed) return { outcome: 'duplicate' };
    if (outcome !== 'claimed') {
      this.metrics.fires.inc({ schedule: schedule.name, outcome });
      return { outcome };
    }
    return this.start(schedule, { schedule_id: schedule.schedule_id, fire_time: time, run_id: runId });
  }

  /** Starts the target of a claimed fire; a storage outage leaves the claim for a later attempt. */
  async start(schedule: ScheduleRow, fire: Pick<FireRow, 'schedule_id' | 'fire_time' | 'run_id'>): Promise<FireResult> {
    try {
      const ids = await this.startTarget(schedule, fire);
      await this.store.settle(fire.schedule_id, fire.fire_time, 'started', ids);
      this.metrics.fires.inc({ schedule: schedule.name, outcome: 'started' });
      return { outcome: 'started' };
    } catch (error) {
      const message = (error as Error).message;
      // A full backlog or an outage (a run start meets PostgreSQL's error itself): the fire waits, it did not fail.
      if ((error instanceof DomainException && error.kind === 'unavailable') || isDependencyOutage(error)) {
        this.log.warn(`schedule ${schedule.name}: fire ${fire.fire_time.toISOString()} will be retried: ${message}`);
        return { outcome: 'retry' };
      }
      // The target itself is wrong (a workflow removed since, input it now refuses): recorded, not retried.
      await this.store.settle(fire.schedule_id, fire.fire_time, 'failed', { error: message.slice(0, 2000) });
      this.metrics.fires.inc({ schedule: schedule.name, outcome: 'failed' });
      this.log.warn(`schedule ${schedule.name}: fire ${fire.fire_time.toISOString()} failed: ${message}`);
      return { outcome: 'failed' };
    }
  }

  private async startTarget(
    schedule: ScheduleRow,
    fire: Pick<FireRow, 'schedule_id' | 'fire_time' | 'run_id'>,
  ): Promise<{ run_id?: string; task_id?: string }> {
    const { workflow, input, task } = schedule.target;
    if (workflow) {
      const runId = fire.run_id ?? randomUUID();
      try {
        await this.workflows.start(workflow, input ?? {}, { principal: scheduler(schedule) }, { runId });
      } catch (error) {
        // The run exists: an earlier owner of this claim started it before it died.
        if ((error as { code?: string }).code !== '23505') throw error;
      }
      return { run_id: runId };
    }
    const key = `schedule:${fire.schedule_id}:${fire.fire_time.toISOString()}`;
    const result = await this.tasks.submit(
      { ...(task as unknown as CreateTaskDto), idempotency_key: key },
      actorOf(scheduler(schedule)),
    );
    return { task_id: result.task_id };
  }
}

/** Who a fire acts as: the schedule itself (recorded as created_by of what it starts). */
function scheduler(schedule: ScheduleRow): Principal {
  return { id: `schedule:${schedule.schedule_id}`, kind: 'system', name: `schedule ${schedule.name}`, scopes: [] };
}
