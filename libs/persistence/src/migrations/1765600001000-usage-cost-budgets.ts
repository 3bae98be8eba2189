import { MigrationInterface, QueryRunner } from 'typeorm';

/** Cost and cached input tokens per attempt (totals are summed from them); budgets of tasks and workflow runs. */
export class UsageCostBudgets1765600001000 implements MigrationInterface {
  name = 'UsageCostBudgets1765600001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task_attempts" ADD "cached_input_tokens" integer, ADD "cost_usd" numeric(20,9)`);
    await q.query(`ALTER TABLE "task_history" ADD "budget" jsonb`);
    await q.query(`ALTER TABLE "workflow_runs" ADD "budget" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "budget"`);
    await q.query(`ALTER TABLE "task_history" DROP COLUMN "budget"`);
    await q.query(`ALTER TABLE "task_attempts" DROP COLUMN "cost_usd", DROP COLUMN "cached_input_tokens"`);
  }
}
