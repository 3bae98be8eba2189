import { Injectable } from '@nestjs/common';
import { Database } from '@app/persistence';

export type RetentionMode = 'delete' | 'archive';
export type RetentionKind = 'tasks' | 'runs' | 'schedule_fires' | 'webhook_deliveries';

const FINAL_TASK = `('completed', 'failed', 'canceled')`;

/**
 * One batch of old, finished history per call: rows are picked with SKIP LOCKED (replicas never
 * wait on each other, and a row the hot path holds is left for the next pass) and removed in one
 * statement; in archive mode the same statement first copies each row with its children.
 * `created_at` (indexed) narrows the scan; the finish time decides.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: Database) {}

  async purgeTasks(cutoff: Date, batch: number, mode: RetentionMode): Promise<number> {
    const rows = await this.db.query(
      `WITH victims AS (
         SELECT task_id FROM task_history
         WHERE created_at < $1 AND status IN ${FINAL_TASK} AND COALESCE(completed_at, updated_at) < $1
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), archived AS (
         INSERT INTO archived_records (kind, id, record)
         SELECT 'task', t.task_id::text, jsonb_build_object(
           'task', to_jsonb(t),
           'attempts', (SELECT COALESCE(jsonb_agg(to_jsonb(a)), '[]'::jsonb) FROM task_attempts a WHERE a.task_id = t.task_id),
           'events', (SELECT COALESCE(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb) FROM task_events e WHERE e.task_id = t.task_id))
         FROM task_history t JOIN victims v USING (task_id)
         WHERE $3 = 'archive'
         ON CONFLICT DO NOTHING
       )
       DELETE FROM task_history t USING victims v WHERE t.task_id = v.task_id RETURNING 1`,
      [cutoff, batch, mode],
    );
    return rows.length;
  }

  async purgeRuns(cutoff: Date, batch: number, mode: RetentionMode): Promise<number> {
    const rows = await this.db.query(
      `WITH victims AS (
         SELECT run_id FROM workflow_runs
         WHERE created_at < $1 AND status IN ('completed', 'failed', 'canceled')
           AND COALESCE(completed_at, updated_at) < $1
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), archived AS (
         INSERT INTO archived_records (kind, id, record)
         SELECT 'run', r.run_id::text, jsonb_build_object(
           'run', to_jsonb(r),
           'steps', (SELECT COALESCE(jsonb_agg(to_jsonb(s)), '[]'::jsonb) FROM workflow_steps s WHERE s.run_id = r.run_id),
           'events', (SELECT COALESCE(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb) FROM workflow_events e WHERE e.run_id = r.run_id))
         FROM workflow_runs r JOIN victims v USING (run_id)
         WHERE $3 = 'archive'
         ON CONFLICT DO NOTHING
       )
       DELETE FROM workflow_runs r USING victims v WHERE r.run_id = v.run_id RETURNING 1`,
      [cutoff, batch, mode],
    );
    return rows.length;
  }

  /** Fire records are bookkeeping: deleted, never archived; open ones (claimed, queued) stay. */
  async purgeScheduleFires(cutoff: Date, batch: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM schedule_fires f USING (
         SELECT schedule_id, fire_time FROM schedule_fires
         WHERE fire_time < $1 AND outcome IN ('started', 'skipped', 'failed')
         ORDER BY fire_time LIMIT $2 FOR UPDATE SKIP LOCKED) v
       WHERE f.schedule_id = v.schedule_id AND f.fire_time = v.fire_time RETURNING 1`,
      [cutoff, batch],
    );
    return rows.length;
  }

  /** Finished webhook deliveries (delivered or dead), with their attempts; pending ones stay whatever their age. */
  async purgeWebhookDeliveries(cutoff: Date, batch: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM webhook_deliveries d USING (
         SELECT delivery_id FROM webhook_deliveries
         WHERE status <> 'pending' AND finished_at < $1
         ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED) v
       WHERE d.delivery_id = v.delivery_id RETURNING 1`,
      [cutoff, batch],
    );
    return rows.length;
  }
}
