import { MigrationInterface, QueryRunner } from 'typeorm';

/** Optional progress heartbeat per task (docs/decisions/0081): an attempt that stops beating is timed out early. */
export class TaskHeartbeatTimeout1765000100000 implements MigrationInterface {
  name = 'TaskHeartbeatTimeout1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "task_history"
        ADD COLUMN "heartbeat_timeout_seconds" integer,
        ADD CONSTRAINT "chk_task_history_heartbeat_timeout" CHECK ("heartbeat_timeout_seconds" IS NULL OR "heartbeat_timeout_seconds" >= 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "task_history"
        DROP CONSTRAINT "chk_task_history_heartbeat_timeout",
        DROP COLUMN "heartbeat_timeout_seconds"`);
  }
}
