import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The orchestrator's history: task_history gains routing, attempts, deadlines, idempotency and
 * workflow references; every attempt and every status change gets its own row; workflow runs,
 * their steps and their progress events are stored beside the tasks they created.
 */
export class OrchestratorTasksWorkflows1764205000000 implements MigrationInterface {
  name = 'OrchestratorTasksWorkflows1764205000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow_runs" (
        "run_id" uuid NOT NULL,
        "workflow" varchar(100) NOT NULL,
        "status" varchar(20) NOT NULL,
        "input" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "state" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "output" jsonb,
        "error" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "completed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_workflow_runs" PRIMARY KEY ("run_id"),
        CONSTRAINT "chk_workflow_runs_status" CHECK ("status" IN ('running', 'input_required', 'completed', 'failed', 'canceled'))
      )`);
    await q.query(`CREATE INDEX "idx_workflow_runs_status" ON "workflow_runs" ("status")`);
    await q.query(`CREATE INDEX "idx_workflow_runs_workflow" ON "workflow_runs" ("workflow")`);

    await q.query(`
      ALTER TABLE "task_history"
        ADD "requested_agent_id" varchar(20),
        ADD "role" varchar(50),
        ADD "capability" varchar(100),
        ADD "min_proficiency" integer,
        ADD "priority" integer NOT NULL DEFAULT 0,
        ADD "input" jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD "timeout_seconds" integer NOT NULL DEFAULT 300,
        ADD "max_attempts" integer NOT NULL DEFAULT 3,
        ADD "attempt" integer NOT NULL DEFAULT 0,
        ADD "idempotency_key" varchar(200),
        ADD "workflow_run_id" uuid,
        ADD "step_key" varchar(300),
        ADD "deadline" TIMESTAMP WITH TIME ZONE,
        ADD "dispatched_at" TIMESTAMP WITH TIME ZONE,
        ADD "cancel_requested_at" TIMESTAMP WITH TIME ZONE,
        ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        ADD CONSTRAINT "uq_task_idempotency_key" UNIQUE ("idempotency_key"),
        ADD CONSTRAINT "chk_task_history_attempts" CHECK ("attempt" >= 0 AND "max_attempts" >= 1),
        ADD CONSTRAINT "chk_task_history_timeout" CHECK ("timeout_seconds" >= 1),
        ADD CONSTRAINT "fk_task_history_workflow_run" FOREIGN KEY ("workflow_run_id")
          REFERENCES "workflow_runs" ("run_id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`CREATE INDEX "idx_task_role" ON "task_history" ("role")`);
    await q.query(`CREATE INDEX "idx_task_workflow_run" ON "task_history" ("workflow_run_id")`);
    await q.query(`CREATE INDEX "idx_task_created" ON "task_history" ("created_at", "task_id")`);
    // The dispatcher's and the deadline sweeper's scans stay small: only live tasks are indexed.
    await q.query(
      `CREATE INDEX "idx_task_undispatched" ON "task_history" ("priority", "created_at") WHERE status = 'pending' AND dispatched_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX "idx_task_deadline" ON "task_history" ("deadline") WHERE status IN ('pending', 'in_progress') AND dispatched_at IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE "task_attempts" (
        "task_id" uuid NOT NULL,
        "attempt" integer NOT NULL,
        "agent_id" varchar(20) NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'dispatched',
        "dispatched_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "deadline" TIMESTAMP WITH TIME ZONE NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE,
        "completed_at" TIMESTAMP WITH TIME ZONE,
        "error" text,
        "model" varchar(100),
        "input_tokens" integer,
        "output_tokens" integer,
        CONSTRAINT "PK_task_attempts" PRIMARY KEY ("task_id", "attempt"),
        CONSTRAINT "chk_task_attempts_status" CHECK ("status" IN ('dispatched', 'in_progress', 'completed', 'failed', 'canceled', 'timed_out')),
        CONSTRAINT "fk_task_attempts_task" FOREIGN KEY ("task_id")
          REFERENCES "task_history" ("task_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);

    await q.query(`
      CREATE TABLE "task_events" (
        "id" BIGSERIAL NOT NULL,
        "task_id" uuid NOT NULL,
        "attempt" integer NOT NULL DEFAULT 0,
        "type" varchar(30) NOT NULL,
        "status" varchar(20) NOT NULL,
        "agent_id" varchar(20),
        "detail" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_task_events" PRIMARY KEY ("id"),
        CONSTRAINT "fk_task_events_task" FOREIGN KEY ("task_id")
          REFERENCES "task_history" ("task_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE INDEX "idx_task_events_task" ON "task_events" ("task_id", "id")`);

    await q.query(`
      CREATE TABLE "workflow_steps" (
        "run_id" uuid NOT NULL,
        "step_key" varchar(300) NOT NULL,
        "step_id" varchar(100) NOT NULL,
        "frame" varchar(200) NOT NULL,
        "type" varchar(20) NOT NULL,
        "visit" integer NOT NULL DEFAULT 1,
        "item_index" integer,
        "status" varchar(20) NOT NULL,
        "task_id" uuid,
        "output" jsonb,
        "error" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "completed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_workflow_steps" PRIMARY KEY ("run_id", "step_key"),
        CONSTRAINT "chk_workflow_steps_status" CHECK ("status" IN ('running', 'waiting_approval', 'completed', 'failed', 'canceled', 'skipped')),
        CONSTRAINT "fk_workflow_steps_run" FOREIGN KEY ("run_id")
          REFERENCES "workflow_runs" ("run_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);

    await q.query(`
      CREATE TABLE "workflow_events" (
        "id" BIGSERIAL NOT NULL,
        "run_id" uuid NOT NULL,
        "type" varchar(30) NOT NULL,
        "step_key" varchar(300),
        "detail" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_workflow_events" PRIMARY KEY ("id"),
        CONSTRAINT "fk_workflow_events_run" FOREIGN KEY ("run_id")
          REFERENCES "workflow_runs" ("run_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE INDEX "idx_workflow_events_run" ON "workflow_events" ("run_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "workflow_events"`);
    await q.query(`DROP TABLE "workflow_steps"`);
    await q.query(`DROP TABLE "task_events"`);
    await q.query(`DROP TABLE "task_attempts"`);
    await q.query(`DROP INDEX "idx_task_deadline"`);
    await q.query(`DROP INDEX "idx_task_undispatched"`);
    await q.query(`DROP INDEX "idx_task_created"`);
    await q.query(`DROP INDEX "idx_task_workflow_run"`);
    await q.query(`DROP INDEX "idx_task_role"`);
    await q.query(`
      ALTER TABLE "task_history"
        DROP CONSTRAINT "fk_task_history_workflow_run",
        DROP CONSTRAINT "chk_task_history_timeout",
        DROP CONSTRAINT "chk_task_history_attempts",
        DROP CONSTRAINT "uq_task_idempotency_key",
        DROP COLUMN "updated_at",
        DROP COLUMN "cancel_requested_at",
        DROP COLUMN "dispatched_at",
        DROP COLUMN "deadline",
        DROP COLUMN "step_key",
        DROP COLUMN "workflow_run_id",
        DROP COLUMN "idempotency_key",
        DROP COLUMN "attempt",
        DROP COLUMN "max_attempts",
        DROP COLUMN "timeout_seconds",
        DROP COLUMN "input",
        DROP COLUMN "priority",
        DROP COLUMN "min_proficiency",
        DROP COLUMN "capability",
        DROP COLUMN "role",
        DROP COLUMN "requested_agent_id"`);
    await q.query(`DROP TABLE "workflow_runs"`);
  }
}
