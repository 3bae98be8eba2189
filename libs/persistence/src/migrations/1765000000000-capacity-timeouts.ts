import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Capacity-aware dispatch and separate timeouts (issue 11): a queue timeout per task (accepted →
 * started) with its deadline, and a routing backoff so tasks nobody can serve step aside in the
 * dispatch scan instead of blocking it.
 */
export class CapacityTimeouts1765000000000 implements MigrationInterface {
  name = 'CapacityTimeouts1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "task_history"
        ADD COLUMN "queue_timeout_seconds" integer,
        ADD COLUMN "queue_deadline" TIMESTAMP WITH TIME ZONE,
        ADD COLUMN "route_failures" integer NOT NULL DEFAULT 0,
        ADD COLUMN "next_route_at" TIMESTAMP WITH TIME ZONE,
        ADD CONSTRAINT "chk_task_history_queue_timeout" CHECK ("queue_timeout_seconds" IS NULL OR "queue_timeout_seconds" >= 1)`);
    await q.query(
      `CREATE INDEX "idx_task_queue_deadline" ON "task_history" ("queue_deadline") WHERE status = 'pending' AND queue_deadline IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_task_queue_deadline"`);
    await q.query(`
      ALTER TABLE "task_history"
        DROP CONSTRAINT "chk_task_history_queue_timeout",
        DROP COLUMN "next_route_at",
        DROP COLUMN "route_failures",
        DROP COLUMN "queue_deadline",
        DROP COLUMN "queue_timeout_seconds"`);
  }
}
