import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead webhook deliveries are what operators look for (`?status=dead`, replay of all dead ones) and
 * what the orchestrator_webhook_deliveries_dead gauge counts every few seconds: a partial index keeps
 * each of those to the dead rows, however many delivered ones retention has not removed yet.
 */
export class WebhookDeadIndex1765700300001 implements MigrationInterface {
  name = 'WebhookDeadIndex1765700300001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "idx_webhook_deliveries_dead" ON "webhook_deliveries" ("webhook_id", "delivery_id") WHERE "status" = 'dead'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_webhook_deliveries_dead"`);
  }
}
