import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditScope, AuditService } from '@app/auth';
import { DomainException } from '@app/edge';
import { fieldError } from '../common/field-error';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { CreateScheduleDto, UpdateScheduleDto } from './dto/schedule.dto';
import { cronProblem, nextFireTimes } from './schedule-clock';
import { ScheduleFirer } from './schedule-firer';
import { FireRow, ScheduleFields, ScheduleRow, SchedulesRepository, ScheduleTarget } from './schedules.repository';

const NEXT_SHOWN = 5;
const FIRES_SHOWN = 20;

export interface FireView {
  fire_time: string;
  trigger: string;
  outcome: string;
  run_id: string | null;
  task_id: string | null;
  error: string | null;
}

export type ScheduleView = Omit<ScheduleRow, 'next_fire_at' | 'last_fire_at' | 'created_at' | 'updated_at'> & {
  next_fire_at: string | null;
  last_fire_at: string | null;
  created_at: string;
  updated_at: string;
  next_fire_times: string[];
};

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** Schedules through the API: validated like the targets they start, stored, listed with their fires. */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly store: SchedulesRepository,
    private readonly workflows: WorkflowsService,
    private readonly tasks: TasksService,
    private readonly firer: ScheduleFirer,
    private readonly audit: AuditService,
  ) {}

  /** Each change's audit row commits with it (`audit`: the request's); refusals are recorded by the edge. */
  async create(dto: CreateScheduleDto, audit?: AuditScope): Promise<ScheduleView> {
    const fields = await this.fields(dto);
    const row = await this.audit.transaction(audit, async (tx) => {
      const inserted = await this.store.insert(randomUUID(), fields, tx);
      return { value: inserted, resource: inserted && `schedule:${inserted.schedule_id}` };
    });
    if (!row) throw new DomainException('conflict', 'SCHEDULE_NAME_TAKEN', `name: a schedule "${dto.name}" exists`);
    return this.view(row);
  }

  async list(): Promise<{ schedules: ScheduleView[] }> {
    return { schedules: (await this.store.list()).map((r) => this.view(r)) };
  }

  async get(id: string): Promise<ScheduleView & { fires: FireView[] }> {
    const row = await this.row(id);
    const fires = await this.store.recentFires(id, FIRES_SHOWN);
    return { ...this.view(row), fires: fires.map(fireView) };
  }

  async update(id: string, dto: UpdateScheduleDto, audit?: AuditScope): Promise<ScheduleView> {
    if (audit) audit.resource = `schedule:${id}`;
    const current = await this.row(id);
    const merged: CreateScheduleDto = {
      name: dto.name ?? current.name,
      cron: dto.cron ?? current.cron,
      timezone: dto.timezone ?? current.timezone,
      target: (dto.target ?? current.target) as CreateScheduleDto['target'],
      overlap: dto.overlap ?? current.overlap,
      catch_up: dto.catch_up ?? current.catch_up,
      catch_up_max: dto.catch_up_max ?? current.catch_up_max,
      paused: dto.paused ?? current.paused,
    };
    const fields = await this.fields(merged);
    // Keep the schedule's place unless what decides its times (or pausing) changed.
    const timesChanged = merged.cron !== current.cron || merged.timezone !== current.timezone;
    if (!timesChanged && !(current.paused && !merged.paused)) fields.next_fire_at = current.next_fire_at;
    const row = await this.audit.transaction(audit, async (tx) => {
      const updated = await this.store.update(id, fields, tx);
      return { value: updated, resource: updated ? `schedule:${id}` : undefined };
    });
    if (row === null)
      throw new DomainException('conflict', 'SCHEDULE_NAME_TAKEN', `name: a schedule "${merged.name}" exists`);
    if (!row) throw notFound(id);
    return this.view(row);
  }

  pause(id: string, audit?: AuditScope): Promise<ScheduleView> {
    return this.update(id, { paused: true }, audit);
  }

  /** Resumes from now: fire times that passed while paused are not caught up. */
  resume(id: string, audit?: AuditScope): Promise<ScheduleView> {
    return this.update(id, { paused: false }, audit);
  }

  async delete(id: string, audit?: AuditScope): Promise<void> {
    if (audit) audit.resource = `schedule:${id}`;
    const deleted = await this.audit.transaction(audit, async (tx) => {
      const done = await this.store.delete(id, tx);
      return { value: done, resource: done ? `schedule:${id}` : undefined };
    });
    if (!deleted) throw notFound(id);
  }

  /** "Trigger now": one fire at this moment, under the schedule's overlap policy. */
  async trigger(id: string, audit?: AuditScope): Promise<FireView> {
    if (audit) audit.resource = `schedule:${id}`;
    const row = await this.row(id);
    const time = new Date();
    const result = await this.firer.fire(row, time, 'manual', audit);
    if (result.outcome === 'retry')
      throw new DomainException('unavailable', 'SCHEDULE_FIRE_DEFERRED', 'the fire is claimed and will start shortly');
    const fire = (await this.store.recentFires(id, FIRES_SHOWN)).find((f) => f.fire_time.getTime() === time.getTime());
    if (!fire) throw notFound(id);
    return fireView(fire);
  }

  private async row(id: string): Promise<ScheduleRow> {
    const row = await this.store.get(id);
    if (!row) throw notFound(id);
    return row;
  }

  private async fields(dto: CreateScheduleDto): Promise<ScheduleFields> {
    const timezone = dto.timezone ?? 'UTC';
    const problem = cronProblem(dto.cron, timezone);
    if (problem) throw fieldError(problem.field, problem.message);
    const target = await this.target(dto.target);
    return {
      name: dto.name,
      cron: dto.cron,
      timezone,
      target,
      overlap: dto.overlap ?? 'skip',
      catch_up: dto.catch_up ?? 'last',
      catch_up_max: dto.catch_up_max ?? 10,
      paused: dto.paused ?? false,
      next_fire_at: nextFireTimes(dto.cron, timezone, new Date(), 1)[0] ?? null,
    };
  }

  private async target(t: CreateScheduleDto['target']): Promise<ScheduleTarget> {
    if ((t.workflow === undefined) === (t.task === undefined))
      throw fieldError('target', 'give either workflow (with input) or task, not both');
    if (t.task) {
      if (t.input !== undefined)
        throw fieldError('target.input', 'belongs to a workflow target; a task has task.input');
      if (t.task.idempotency_key !== undefined)
        throw fieldError('target.task.idempotency_key', 'is set per fire by the schedule');
      this.tasks.checkTarget(t.task, 'target.task.');
      return { task: { ...t.task } };
    }
    const known = (await this.workflows.list()).workflows;
    const def = known.find((w) => w.name === t.workflow);
    if (!def)
      throw fieldError(
        'target.workflow',
        `no workflow "${t.workflow}" (known: ${known.map((w) => w.name).join(', ')})`,
      );
    const input = t.input ?? {};
    await this.workflows.checkInput(def.name, input, 'target.input');
    return { workflow: def.name, input };
  }

  private view(row: ScheduleRow): ScheduleView {
    return {
      ...row,
      next_fire_at: iso(row.next_fire_at),
      last_fire_at: iso(row.last_fire_at),
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
      next_fire_times: row.paused
        ? []
        : nextFireTimes(row.cron, row.timezone, new Date(), NEXT_SHOWN).map((d) => d.toISOString()),
    };
  }
}

function fireView(f: FireRow): FireView {
  return {
    fire_time: new Date(f.fire_time).toISOString(),
    trigger: f.trigger,
    outcome: f.outcome,
    run_id: f.run_id,
    task_id: f.task_id,
    error: f.error,
  };
}

function notFound(id: string): DomainException {
  return new DomainException('not_found', 'SCHEDULE_NOT_FOUND', `schedule_id: no schedule ${id}`);
}
