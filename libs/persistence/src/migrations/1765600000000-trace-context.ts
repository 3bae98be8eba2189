import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each task and workflow run keeps the W3C traceparent it was accepted under, so dispatches (also re-dispatches
 * after a restart), workflow steps and results continue one trace; `GET /api/tasks/{id}` shows its trace id.
 */
export class TraceContext1765600000000 implements MigrationInterface {
  name = 'TraceContext1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "task_history" ADD "traceparent" varchar(55)`);
    await q.query(`ALTER TABLE "workflow_runs" ADD "traceparent" varchar(55)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "traceparent"`);
    await q.query(`ALTER TABLE "task_history" DROP COLUMN "traceparent"`);
  }
}
