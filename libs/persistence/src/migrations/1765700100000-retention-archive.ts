import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where retention puts what it removes when ORCHESTRATOR_RETENTION_MODE=archive: one row per task or
 * run with its children as JSON, so later schema changes of the live tables never break the archive.
 */
export class RetentionArchive1765700100000 implements MigrationInterface {
  name = 'RetentionArchive1765700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "archived_records" (
        "kind" varchar(20) NOT NULL,
        "id" varchar(100) NOT NULL,
        "record" jsonb NOT NULL,
        "archived_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_archived_records" PRIMARY KEY ("kind", "id")
      )`);
    await q.query(`CREATE INDEX "idx_archived_records_at" ON "archived_records" ("archived_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "archived_records"`);
  }
}
