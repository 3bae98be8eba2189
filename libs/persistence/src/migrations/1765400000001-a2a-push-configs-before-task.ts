import { MigrationInterface, QueryRunner } from 'typeorm';

/** A push config given with SendMessage is stored before its A2A task row exists: no foreign key. */
export class A2aPushConfigsBeforeTask1765400000001 implements MigrationInterface {
  name = 'A2aPushConfigsBeforeTask1765400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "a2a_push_configs" DROP CONSTRAINT "FK_a2a_push_configs_task"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM "a2a_push_configs" c WHERE NOT EXISTS (SELECT 1 FROM "a2a_tasks" t WHERE t.id = c.task_id)`,
    );
    await q.query(
      `ALTER TABLE "a2a_push_configs" ADD CONSTRAINT "FK_a2a_push_configs_task" FOREIGN KEY ("task_id") REFERENCES "a2a_tasks" ("id") ON DELETE CASCADE`,
    );
  }
}
