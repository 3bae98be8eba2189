import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow definitions with versions: every change (from a file at start-up or through the API)
 * is a new immutable version, and each run is pinned to the version it started with.
 */
export class WorkflowVersions1765700200000 implements MigrationInterface {
  name = 'WorkflowVersions1765700200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "workflow_definitions" (
        "name" varchar(100) NOT NULL,
        "version" integer NOT NULL,
        "definition" jsonb NOT NULL,
        "source" varchar(10) NOT NULL,
        "checksum" varchar(64) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_workflow_definitions" PRIMARY KEY ("name", "version"),
        CONSTRAINT "chk_workflow_definitions_source" CHECK ("source" IN ('file', 'api')),
        CONSTRAINT "chk_workflow_definitions_version" CHECK ("version" >= 1)
      )`);
    // Runs started before versions existed ran on what is now version 1 of their workflow.
    await q.query(`ALTER TABLE "workflow_runs" ADD "workflow_version" integer`);
    await q.query(`UPDATE "workflow_runs" SET "workflow_version" = 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "workflow_runs" DROP COLUMN "workflow_version"`);
    await q.query(`DROP TABLE "workflow_definitions"`);
  }
}
