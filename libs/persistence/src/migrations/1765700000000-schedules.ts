import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedules (cron → a workflow run or a task) and their fires. A fire is claimed by inserting its
 * (schedule_id, fire_time) row: the primary key lets exactly one orchestrator replica start it
 * (docs/decisions/0140-schedule-fires-claimed-in-postgres.md).
 */
export class Schedules1765700000000 implements MigrationInterface {
  name = 'Schedules1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "schedules" (
        "schedule_id" uuid NOT NULL,
        "name" varchar(100) NOT NULL,
        "cron" varchar(200) NOT NULL,
        "timezone" varchar(64) NOT NULL DEFAULT 'UTC',
        "target" jsonb NOT NULL,
        "overlap" varchar(10) NOT NULL DEFAULT 'skip',
        "catch_up" varchar(10) NOT NULL DEFAULT 'last',
        "catch_up_max" integer NOT NULL DEFAULT 10,
        "paused" boolean NOT NULL DEFAULT false,
        "next_fire_at" TIMESTAMP WITH TIME ZONE,
        "last_fire_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_schedules" PRIMARY KEY ("schedule_id"),
        CONSTRAINT "uq_schedules_name" UNIQUE ("name"),
        CONSTRAINT "chk_schedules_overlap" CHECK ("overlap" IN ('skip', 'queue', 'allow')),
        CONSTRAINT "chk_schedules_catch_up" CHECK ("catch_up" IN ('none', 'last', 'all'))
      )`);
    await q.query(`CREATE INDEX "idx_schedules_due" ON "schedules" ("next_fire_at") WHERE NOT "paused"`);
    await q.query(`
      CREATE TABLE "schedule_fires" (
        "schedule_id" uuid NOT NULL,
        "fire_time" TIMESTAMP WITH TIME ZONE NOT NULL,
        "trigger" varchar(10) NOT NULL,
        "outcome" varchar(10) NOT NULL,
        "run_id" uuid,
        "task_id" uuid,
        "error" text,
        "claimed_by" varchar(64) NOT NULL,
        "claimed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_schedule_fires" PRIMARY KEY ("schedule_id", "fire_time"),
        CONSTRAINT "fk_schedule_fires_schedule" FOREIGN KEY ("schedule_id") REFERENCES "schedules" ("schedule_id") ON DELETE CASCADE,
        CONSTRAINT "chk_schedule_fires_trigger" CHECK ("trigger" IN ('cron', 'catch_up', 'manual')),
        CONSTRAINT "chk_schedule_fires_outcome" CHECK ("outcome" IN ('claimed', 'started', 'queued', 'skipped', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX "idx_schedule_fires_open" ON "schedule_fires" ("outcome", "claimed_at") WHERE "outcome" IN ('claimed', 'queued')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "schedule_fires"`);
    await q.query(`DROP TABLE "schedules"`);
  }
}
