import { Injectable } from '@nestjs/common';
import { Database, Sql } from '@app/persistence';
import { toTotals, USAGE_SUMS, UsageRow, UsageTotals } from './usage-totals';

export type UsageGroup = 'agent' | 'model' | 'workflow';

const GROUP_COLUMN: Record<UsageGroup, string> = {
  agent: 'a.agent_id',
  model: `COALESCE(a.model, 'unknown')`,
  workflow: `COALESCE(r.workflow, '(no workflow)')`,
};

/** Usage and cost totals over recorded attempts, by run or grouped by agent, model or workflow. */
@Injectable()
export class UsageRepository {
  constructor(private readonly db: Database) {}

  /** `sql`: a caller inside a transaction reads on its own connection, never a second one from the pool. */
  async ofRun(runId: string, sql: Sql = this.db): Promise<UsageTotals> {
    const rows = await sql.query<UsageRow>(
      `SELECT ${USAGE_SUMS} FROM task_attempts a JOIN task_history t ON t.task_id = a.task_id WHERE t.workflow_run_id = $1`,
      [runId],
    );
    return toTotals(rows);
  }

  /** The workflow of a task and the cost of its final attempt (for the per-workflow cost counter). */
  async costOfTask(taskId: string): Promise<{ workflow: string; usd: number } | undefined> {
    const rows = await this.db.query<{ workflow: string; usd: number | null }>(
      `SELECT r.workflow, a.cost_usd::float8 AS usd
         FROM task_history t JOIN workflow_runs r ON r.run_id = t.workflow_run_id
         JOIN task_attempts a ON a.task_id = t.task_id AND a.attempt = t.attempt
        WHERE t.task_id = $1`,
      [taskId],
    );
    const row = rows[0];
    return row && row.usd !== null ? { workflow: row.workflow, usd: row.usd } : undefined;
  }

  async grouped(group: UsageGroup, since: Date | null): Promise<({ key: string } & UsageTotals)[]> {
    const rows = await this.db.query<UsageRow & { key: string }>(
      `SELECT ${GROUP_COLUMN[group]} AS key, ${USAGE_SUMS}
         FROM task_attempts a JOIN task_history t ON t.task_id = a.task_id
         LEFT JOIN workflow_runs r ON r.run_id = t.workflow_run_id
        WHERE a.completed_at IS NOT NULL AND ($1::timestamptz IS NULL OR a.completed_at >= $1)
        GROUP BY 1 ORDER BY 1`,
      [since],
    );
    return rows.map((r) => ({ key: r.key, ...toTotals([r]) }));
  }
}
