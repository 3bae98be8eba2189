import { Injectable } from '@nestjs/common';
import { Database, Sql } from '@app/persistence';
import { CatchUpPolicy, FireTrigger, OverlapPolicy } from './schedule-clock';

export interface ScheduleTarget {
  workflow?: string;
  input?: Record<string, unknown>;
  task?: Record<string, unknown>;
}

export interface ScheduleRow {
  schedule_id: string;
  name: string;
  cron: string;
  timezone: string;
  target: ScheduleTarget;
  overlap: OverlapPolicy;
  catch_up: CatchUpPolicy;
  catch_up_max: number;
  paused: boolean;
  next_fire_at: Date | null;
  last_fire_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type FireOutcome = 'claimed' | 'started' | 'queued' | 'skipped' | 'failed';

export interface FireRow {
  schedule_id: string;
  fire_time: Date;
  trigger: FireTrigger;
  outcome: FireOutcome;
  run_id: string | null;
  task_id: string | null;
  error: string | null;
  claimed_by: string;
  claimed_at: Date;
  updated_at: Date;
}

export type ScheduleFields = Pick<
  ScheduleRow,
  'name' | 'cron' | 'timezone' | 'target' | 'overlap' | 'catch_up' | 'catch_up_max' | 'paused' | 'next_fire_at'
>;

const COLUMNS = `schedule_id, name, cron, timezone, target, overlap, catch_up, catch_up_max, paused, next_fire_at,
  last_fire_at, created_at, updated_at`;

/** Schedules and their fires: every query of both tables is here. */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly db: Database) {}

  /** Undefined when the name is taken. */
  async insert(scheduleId: string, f: ScheduleFields, sql: Sql = this.db): Promise<ScheduleRow | undefined> {
    const rows = await sql.query<ScheduleRow>(
      `INSERT INTO schedules (schedule_id, name, cron, timezone, target, overlap, catch_up, catch_up_max, paused, next_fire_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
      [
        scheduleId,
        f.name,
        f.cron,
        f.timezone,
        f.target,
        f.overlap,
        f.catch_up,
        f.catch_up_max,
        f.paused,
        f.next_fire_at,
      ],
    );
    return rows[0];
  }

  async get(scheduleId: string): Promise<ScheduleRow | undefined> {
    const rows = await this.db.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE schedule_id = $1`, [
      scheduleId,
    ]);
    return rows[0];
  }

  list(): Promise<ScheduleRow[]> {
    return this.db.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules ORDER BY name`);
  }

  /** Undefined when the schedule is gone; `null` when the new name is taken. */
  async update(scheduleId: string, f: ScheduleFields, sql: Sql = this.db): Promise<ScheduleRow | undefined | null> {
    try {
      const rows = await sql.query<ScheduleRow>(
        `UPDATE schedules SET name = $2, cron = $3, timezone = $4, target = $5, overlap = $6, catch_up = $7,
           catch_up_max = $8, paused = $9, next_fire_at = $10, updated_at = now()
         WHERE schedule_id = $1 RETURNING ${COLUMNS}`,
        [
          scheduleId,
          f.name,
          f.cron,
          f.timezone,
          f.target,
          f.overlap,
          f.catch_up,
          f.catch_up_max,
          f.paused,
          f.next_fire_at,
        ],
      );
      return rows[0];
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return null;
      throw error;
    }
  }

  async delete(scheduleId: string, sql: Sql = this.db): Promise<boolean> {
    const rows = await sql.query(`DELETE FROM schedules WHERE schedule_id = $1 RETURNING 1`, [scheduleId]);
    return rows.length > 0;
  }

  /** Unpaused schedules whose next fire time has come. */
  due(now: Date, limit: number): Promise<ScheduleRow[]> {
    return this.db.query<ScheduleRow>(
      `SELECT ${COLUMNS} FROM schedules WHERE NOT paused AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2`,
      [now, limit],
    );
  }

  /**
   * Moves the schedule past fires that were handled. Every replica computes the same values, so
   * racing updates agree; `next_fire_at` only moves forward.
   */
  async advance(scheduleId: string, lastFire: Date | undefined, nextFire: Date): Promise<void> {
    await this.db.query(
      `UPDATE schedules SET next_fire_at = GREATEST(next_fire_at, $3),
         last_fire_at = CASE WHEN $2::timestamptz IS NULL THEN last_fire_at ELSE GREATEST(last_fire_at, $2::timestamptz) END
       WHERE schedule_id = $1`,
      [scheduleId, lastFire ?? null, nextFire],
    );
  }

  /** The claim: true for the one caller whose row was inserted (the primary key decides). */
  async claim(
    scheduleId: string,
    fireTime: Date,
    trigger: FireTrigger,
    outcome: FireOutcome,
    claimedBy: string,
    runId: string | null,
    sql: Sql = this.db,
  ): Promise<boolean> {
    const rows = await sql.query(
      `INSERT INTO schedule_fires (schedule_id, fire_time, trigger, outcome, claimed_by, run_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
      [scheduleId, fireTime, trigger, outcome, claimedBy, runId],
    );
    return rows.length === 1;
  }

  async settle(
    scheduleId: string,
    fireTime: Date,
    outcome: FireOutcome,
    ids: { run_id?: string; task_id?: string; error?: string },
  ): Promise<void> {
    await this.db.query(
      `UPDATE schedule_fires SET outcome = $3, run_id = COALESCE($4, run_id), task_id = COALESCE($5, task_id),
         error = $6, updated_at = now()
       WHERE schedule_id = $1 AND fire_time = $2`,
      [scheduleId, fireTime, outcome, ids.run_id ?? null, ids.task_id ?? null, ids.error ?? null],
    );
  }

  /** Whether the newest started fire's run or task is still going (the overlap policy's question). */
  async previousStillRunning(scheduleId: string): Promise<boolean> {
    const rows = await this.db.query<{ active: boolean }>(
      `SELECT CASE
           WHEN f.run_id IS NOT NULL THEN r.status IN ('running', 'input_required')
           ELSE t.status NOT IN ('completed', 'failed', 'canceled') END AS active
       FROM schedule_fires f
       LEFT JOIN workflow_runs r ON r.run_id = f.run_id
       LEFT JOIN task_history t ON t.task_id = f.task_id
       WHERE f.schedule_id = $1 AND f.outcome = 'started'
       ORDER BY f.fire_time DESC LIMIT 1`,
      [scheduleId],
    );
    return rows[0]?.active === true;
  }

  /** Claims whose start did not finish (the replica died) or that wait their turn (overlap: queue). */
  open(outcome: 'claimed' | 'queued', claimedBefore: Date, limit: number): Promise<FireRow[]> {
    return this.db.query<FireRow>(
      `SELECT * FROM schedule_fires WHERE outcome = $1 AND claimed_at <= $2 ORDER BY fire_time LIMIT $3`,
      [outcome, claimedBefore, limit],
    );
  }

  /**
   * Takes an open fire over from whoever claimed it (a replica that died, or the queue): true for
   * the one caller that moved it, so two replicas never both start it.
   */
  async takeOver(fire: FireRow, from: 'claimed' | 'queued', claimedBy: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE schedule_fires SET outcome = 'claimed', claimed_by = $4, claimed_at = now(), updated_at = now()
       WHERE schedule_id = $1 AND fire_time = $2 AND outcome = $3 AND claimed_by = $5 RETURNING 1`,
      [fire.schedule_id, fire.fire_time, from, claimedBy, fire.claimed_by],
    );
    return rows.length === 1;
  }

  recentFires(scheduleId: string, limit: number): Promise<FireRow[]> {
    return this.db.query<FireRow>(
      `SELECT * FROM schedule_fires WHERE schedule_id = $1 ORDER BY fire_time DESC LIMIT $2`,
      [scheduleId, limit],
    );
  }
}
