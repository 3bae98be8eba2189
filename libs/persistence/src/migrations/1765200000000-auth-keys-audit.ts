import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may do what, and who did: hashed API keys (with the agent ids a host credential is bound
 * to), the append-only audit trail, and the acting principal on tasks, runs and approvals.
 */
export class AuthKeysAudit1765200000000 implements MigrationInterface {
  name = 'AuthKeysAudit1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL,
        "name" varchar(100) NOT NULL,
        "key_hash" char(64) NOT NULL,
        "prefix" varchar(16) NOT NULL,
        "scopes" text[] NOT NULL DEFAULT '{}',
        "agent_ids" text[],
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "created_by" varchar(200),
        "provisioned" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_api_keys" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_api_keys_key_hash" UNIQUE ("key_hash")
      )`);
    await q.query(`CREATE INDEX "idx_api_keys_name" ON "api_keys" ("name")`);
    await q.query(`
      CREATE TABLE "audit_events" (
        "id" bigserial NOT NULL,
        "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "service" varchar(30) NOT NULL,
        "actor" varchar(200),
        "actor_kind" varchar(20),
        "action" varchar(100) NOT NULL,
        "resource" varchar(300),
        "request_id" varchar(100),
        "outcome" varchar(20) NOT NULL,
        "status_code" integer,
        "detail" jsonb,
        CONSTRAINT "PK_audit_events" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "idx_audit_events_at" ON "audit_events" ("at")`);
    await q.query(`CREATE INDEX "idx_audit_events_actor" ON "audit_events" ("actor", "at")`);
    await q.query(`CREATE INDEX "idx_audit_events_resource" ON "audit_events" ("resource", "at")`);
    // Append-only: the application role may insert and read; only retention (a DELETE by age) removes rows.
    await q.query(`
      CREATE FUNCTION "audit_events_no_update"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
    await q.query(`
      CREATE TRIGGER "trg_audit_events_no_update" BEFORE UPDATE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_events_no_update"()`);
    await q.query(`ALTER TABLE "task_history" ADD "created_by" varchar(200)`);
    await q.query(`ALTER TABLE "workflow_runs" ADD "created_by" varchar(200)`);
    await q.query(`ALTER TABLE "workflow_steps" ADD "decided_by" varchar(200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_steps" DROP COLUMN "decided_by"`);
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "created_by"`);
    await q.query(`ALTER TABLE "task_history" DROP COLUMN "created_by"`);
    await q.query(`DROP TABLE "audit_events"`);
    await q.query(`DROP FUNCTION "audit_events_no_update"()`);
    await q.query(`DROP TABLE "api_keys"`);
  }
}
