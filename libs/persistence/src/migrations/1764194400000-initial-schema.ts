import { MigrationInterface, QueryRunner } from 'typeorm';

/** The seed's five tables, with the keys, cascades and checks the seed left out. */
export class InitialSchema1764194400000 implements MigrationInterface {
  name = 'InitialSchema1764194400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "agent_registry" (
        "agent_id" varchar(20) NOT NULL,
        "name" varchar(255) NOT NULL,
        "role" varchar(50) NOT NULL,
        "status" varchar(20) NOT NULL DEFAULT 'offline',
        "host" varchar(255),
        "port" integer,
        "last_heartbeat" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT "PK_agent_registry" PRIMARY KEY ("agent_id"),
        CONSTRAINT "chk_agent_registry_status" CHECK ("status" IN ('online', 'offline', 'busy', 'error')),
        CONSTRAINT "chk_agent_registry_port" CHECK ("port" IS NULL OR ("port" BETWEEN 1 AND 65535))
      )`);
    await q.query(`CREATE INDEX "idx_agent_role" ON "agent_registry" ("role")`);
    await q.query(`CREATE INDEX "idx_agent_status" ON "agent_registry" ("status")`);

    await q.query(`
      CREATE TABLE "agent_capabilities" (
        "id" SERIAL NOT NULL,
        "agent_id" varchar(20) NOT NULL,
        "capability" varchar(100) NOT NULL,
        "proficiency_level" integer NOT NULL,
        CONSTRAINT "PK_agent_capabilities" PRIMARY KEY ("id"),
        CONSTRAINT "uq_agent_capability" UNIQUE ("agent_id", "capability"),
        CONSTRAINT "chk_agent_capabilities_proficiency" CHECK ("proficiency_level" >= 1 AND "proficiency_level" <= 10),
        CONSTRAINT "fk_agent_capabilities_agent" FOREIGN KEY ("agent_id")
          REFERENCES "agent_registry" ("agent_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE INDEX "idx_agent_capability" ON "agent_capabilities" ("capability")`);

    await q.query(`
      CREATE TABLE "agent_load" (
        "agent_id" varchar(20) NOT NULL,
        "current_tasks" integer NOT NULL DEFAULT 0,
        "max_tasks" integer NOT NULL DEFAULT 3,
        "avg_task_duration_sec" double precision,
        "total_tasks_completed" integer NOT NULL DEFAULT 0,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_agent_load" PRIMARY KEY ("agent_id"),
        CONSTRAINT "chk_agent_load_current" CHECK ("current_tasks" >= 0),
        CONSTRAINT "chk_agent_load_max" CHECK ("max_tasks" >= 1),
        CONSTRAINT "chk_agent_load_completed" CHECK ("total_tasks_completed" >= 0),
        CONSTRAINT "fk_agent_load_agent" FOREIGN KEY ("agent_id")
          REFERENCES "agent_registry" ("agent_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);

    await q.query(`
      CREATE TABLE "agent_state" (
        "agent_id" varchar(20) NOT NULL,
        "state" jsonb NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_agent_state" PRIMARY KEY ("agent_id"),
        CONSTRAINT "fk_agent_state_agent" FOREIGN KEY ("agent_id")
          REFERENCES "agent_registry" ("agent_id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);

    await q.query(`
      CREATE TABLE "task_history" (
        "task_id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "agent_id" varchar(20),
        "task_title" varchar(500),
        "task_description" text,
        "status" varchar(20) NOT NULL DEFAULT 'pending',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "started_at" TIMESTAMP WITH TIME ZONE,
        "completed_at" TIMESTAMP WITH TIME ZONE,
        "result" jsonb,
        "error" text,
        CONSTRAINT "PK_task_history" PRIMARY KEY ("task_id"),
        CONSTRAINT "chk_task_history_status" CHECK ("status" IN ('pending', 'in_progress', 'completed', 'failed', 'canceled')),
        CONSTRAINT "fk_task_history_agent" FOREIGN KEY ("agent_id")
          REFERENCES "agent_registry" ("agent_id") ON DELETE SET NULL ON UPDATE NO ACTION
      )`);
    await q.query(`CREATE INDEX "idx_task_agent" ON "task_history" ("agent_id")`);
    await q.query(`CREATE INDEX "idx_task_status" ON "task_history" ("status")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "task_history"`);
    await q.query(`DROP TABLE "agent_state"`);
    await q.query(`DROP TABLE "agent_load"`);
    await q.query(`DROP TABLE "agent_capabilities"`);
    await q.query(`DROP TABLE "agent_registry"`);
  }
}
