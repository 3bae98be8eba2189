import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A2A: the mapping of each A2A task onto one of our tasks or workflow runs (with the A2A task
 * document, so any replica answers GetTask/ListTasks), push-notification configs and the record
 * of every push delivery attempt.
 */
export class A2aTasks1765400000000 implements MigrationInterface {
  name = 'A2aTasks1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "a2a_tasks" (
        "id" uuid NOT NULL,
        "scope" varchar(40) NOT NULL,
        "context_id" varchar(200) NOT NULL,
        "kind" varchar(20) NOT NULL,
        "target_id" uuid,
        "state" varchar(30) NOT NULL,
        "task" jsonb NOT NULL,
        "status_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_a2a_tasks" PRIMARY KEY ("id"),
        CONSTRAINT "chk_a2a_tasks_kind" CHECK ("kind" IN ('task', 'workflow_run', 'pending'))
      )`);
    await q.query(`CREATE INDEX "idx_a2a_tasks_scope_status_at" ON "a2a_tasks" ("scope", "status_at" DESC, "id" DESC)`);
    await q.query(`CREATE INDEX "idx_a2a_tasks_context" ON "a2a_tasks" ("context_id")`);
    await q.query(`CREATE INDEX "idx_a2a_tasks_target" ON "a2a_tasks" ("target_id")`);
    await q.query(`
      CREATE TABLE "a2a_push_configs" (
        "task_id" uuid NOT NULL,
        "config_id" varchar(200) NOT NULL,
        "config" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_a2a_push_configs" PRIMARY KEY ("task_id", "config_id"),
        CONSTRAINT "FK_a2a_push_configs_task" FOREIGN KEY ("task_id") REFERENCES "a2a_tasks" ("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "a2a_push_deliveries" (
        "id" bigserial NOT NULL,
        "task_id" uuid NOT NULL,
        "config_id" varchar(200) NOT NULL,
        "url" text NOT NULL,
        "state" varchar(30) NOT NULL,
        "attempt" integer NOT NULL,
        "status_code" integer,
        "ok" boolean NOT NULL,
        "error" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_a2a_push_deliveries" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_a2a_push_deliveries_task" ON "a2a_push_deliveries" ("task_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "a2a_push_deliveries"`);
    await q.query(`DROP TABLE "a2a_push_configs"`);
    await q.query(`DROP TABLE "a2a_tasks"`);
  }
}
