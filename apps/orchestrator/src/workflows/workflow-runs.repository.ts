import { Injectable } from '@nestjs/common';
import { WorkflowRunStatus } from '@app/contracts';
import { Database, Sql, Tx } from '@app/persistence';
import type { TaskBudget } from '../tasks/task.types';
import { RunEventRecord, RunState, StepRecord } from './engine/run-state';

export interface RunRow {
  run_id: string;
  workflow: string;
  workflow_version: number | null;
  status: WorkflowRunStatus;
  input: Record<string, unknown>;
  state: RunState;
  output: unknown;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  created_by: string | null;
  /** The run's trace (its `workflow.run` span). */
  traceparent: string | null;
  /** Limits on the model spend of all its tasks together. */
  budget: TaskBudget | null;
}

export interface StepView {
  step_key: string;
  step_id: string;
  frame: string;
  type: string;
  visit: number;
  item_index: number | null;
  status: string;
  task_id: string | null;
  output: unknown;
  error: string | null;
  /** Who decided an approval step (`kind:name`). */
  decided_by: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface RunEventView {
  id: string;
  run_id: string;
  type: string;
  step_key: string | null;
  detail: Record<string, unknown> | null;
  created_at: string;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
const FINAL_STEP = `('completed', 'failed', 'canceled', 'skipped')`;

/** Workflow runs, their step rows and progress events; all writes take the caller's transaction. */
@Injectable()
export class WorkflowRunsRepository {
  constructor(private readonly db: Database) {}

  /** Work on the run tables in one transaction: the unit of work other stores' changes may join (`Database.transaction`). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insertRun(
    q: Sql,
    runId: string,
    workflow: string,
    input: Record<string, unknown>,
    state: RunState,
    version: number,
    createdBy: string | null = null,
    traceparent: string | null = null,
    budget: TaskBudget | null = null,
  ): Promise<void> {
    await q.query(
      `INSERT INTO workflow_runs (run_id, workflow, status, input, state, output, error, completed_at, workflow_version, created_by,
         traceparent, budget)
       VALUES ($1, $2, $3::text, $4::jsonb, $5::jsonb, $6::jsonb, $7, CASE WHEN $3::text IN ('completed', 'failed', 'canceled') THEN now() END,
         $8, $9, $10, $11::jsonb)`,
      [
        runId,
        workflow,
        state.status,
        JSON.stringify(input),
        JSON.stringify(state),
        JSON.stringify(state.output ?? null),
        state.error ?? null,
        version,
        createdBy,
        traceparent,
        budget === null ? null : JSON.stringify(budget),
      ],
    );
  }

  /** Who decided a waiting approval step. */
  async recordDecider(q: Sql, runId: string, stepKey: string, decidedBy: string | null): Promise<void> {
    await q.query(`UPDATE workflow_steps SET decided_by = $3 WHERE run_id = $1 AND step_key = $2`, [
      runId,
      stepKey,
      decidedBy,
    ]);
  }

  async lockRun(q: Sql, runId: string): Promise<RunRow | undefined> {
    const rows = await q.query<RunRow>(`SELECT * FROM workflow_runs WHERE run_id = $1 FOR UPDATE`, [runId]);
    return rows[0];
  }

  async saveState(q: Sql, runId: string, state: RunState): Promise<void> {
    await q.query(
      `UPDATE workflow_runs SET status = $2::text, state = $3::jsonb, output = $4::jsonb, error = $5, updated_at = now(),
              completed_at = CASE WHEN $2::text IN ('completed', 'failed', 'canceled') THEN COALESCE(completed_at, now()) END
        WHERE run_id = $1`,
      [runId, state.status, JSON.stringify(state), JSON.stringify(state.output ?? null), state.error ?? null],
    );
  }

  async upsertSteps(q: Sql, runId: string, records: StepRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One row per key per statement (ON CONFLICT cannot touch a row twice): the latest record wins, keeping a known task id.
    const byKey = new Map<string, StepRecord>();
    for (const r of records) {
      const prev = byKey.get(r.step_key);
      byKey.set(r.step_key, { ...r, task_id: r.task_id ?? prev?.task_id ?? null });
    }
    await q.query(
      `INSERT INTO workflow_steps (run_id, step_key, step_id, frame, type, visit, item_index, status, task_id, output, error, completed_at)
       SELECT $1, step_key, step_id, frame, type, visit, item_index, status, task_id, output, error,
              CASE WHEN status IN ${FINAL_STEP} THEN now() END
         FROM jsonb_to_recordset($2::jsonb) AS x(step_key text, step_id text, frame text, type text, visit int, item_index int,
              status text, task_id uuid, output jsonb, error text)
       ON CONFLICT (run_id, step_key) DO UPDATE
          SET status = EXCLUDED.status, task_id = COALESCE(EXCLUDED.task_id, workflow_steps.task_id),
              output = COALESCE(EXCLUDED.output, workflow_steps.output), error = EXCLUDED.error, updated_at = now(),
              completed_at = EXCLUDED.completed_at`,
      [
        runId,
        JSON.stringify([...byKey.values()].map((r) => ({ ...r, output: r.output ?? null, error: r.error ?? null }))),
      ],
    );
  }

  async insertEvents(q: Sql, runId: string, events: RunEventRecord[]): Promise<RunEventView[]> {
    if (events.length === 0) return [];
    const rows = await q.query<Omit<RunEventView, 'created_at'> & { created_at: Date }>(
      `INSERT INTO workflow_events (run_id, type, step_key, detail)
       SELECT $1, x.e ->> 'type', x.e ->> 'step_key', x.e -> 'detail' FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(e, n)
       ORDER BY x.n
       RETURNING id::text AS id, run_id, type, step_key, detail, created_at`,
      [
        runId,
        JSON.stringify(events.map((e) => ({ type: e.type, step_key: e.step_key ?? null, detail: e.detail ?? null }))),
      ],
    );
    return rows
      .map((r) => ({ ...r, created_at: iso(r.created_at)! }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  async get(runId: string): Promise<RunRow | undefined> {
    const rows: RunRow[] = await this.db.query(`SELECT * FROM workflow_runs WHERE run_id = $1`, [runId]);
    return rows[0];
  }

  async steps(runId: string): Promise<StepView[]> {
    const rows: (Omit<StepView, 'created_at' | 'updated_at' | 'completed_at'> & {
      created_at: Date;
      updated_at: Date;
      completed_at: Date | null;
    })[] = await this.db.query(
      `SELECT step_key, step_id, frame, type, visit, item_index, status, task_id, output, error, decided_by, created_at, updated_at, completed_at
           FROM workflow_steps WHERE run_id = $1 ORDER BY created_at, step_key`,
      [runId],
    );
    return rows.map((r) => ({
      ...r,
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
      completed_at: iso(r.completed_at),
    }));
  }

  async events(runId: string): Promise<RunEventView[]> {
    const rows: (Omit<RunEventView, 'created_at'> & { created_at: Date })[] = await this.db.query(
      `SELECT w.id::text AS id, w.run_id, w.type, w.step_key, w.detail, w.created_at FROM workflow_events w WHERE w.run_id = $1 ORDER BY w.id`,
      [runId],
    );
    return rows.map((r) => ({ ...r, created_at: iso(r.created_at)! }));
  }

  /** Runs that wait for a task which already ended (a notification lost to a crash or handled by another replica). */
  async stalled(): Promise<
    {
      run_id: string;
      task_id: string;
      status: 'completed' | 'failed' | 'canceled';
      result: unknown;
      error: string | null;
    }[]
  > {
    return this.db.query(
      `SELECT r.run_id, t.task_id, t.status, t.result, t.error
         FROM workflow_runs r
         CROSS JOIN LATERAL jsonb_object_keys(r.state -> 'waiting') AS k(task_id)
         JOIN task_history t ON t.task_id = k.task_id::uuid
        WHERE r.status = 'running' AND t.status IN ('completed', 'failed', 'canceled')
        LIMIT 500`,
    );
  }

  async list(
    limit: number,
  ): Promise<Pick<RunRow, 'run_id' | 'workflow' | 'workflow_version' | 'status' | 'created_at' | 'completed_at'>[]> {
    return this.db.query(
      `SELECT run_id, workflow, workflow_version, status, created_at, completed_at FROM workflow_runs ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
  }
}
