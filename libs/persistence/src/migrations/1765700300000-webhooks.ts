import { MigrationInterface, QueryRunner } from 'typeorm';

/** Task events that are status changes (progress, dispatch and model waits are not). */
const TASK_STATUS_TYPES = `('accepted', 'started', 'completed', 'failed', 'canceled', 'timed_out')`;
/** The event types each trigger emits: with no subscription to any of them, it stops at one scan of a small table. */
const TASK_TYPES = `'{task.status_changed,dead_letter.created}'::text[]`;
const RUN_TYPES = `'{run.status_changed,approval.needed}'::text[]`;
/** Run events that change the run's status, and the status each one leaves. */
const RUN_STATUS_CASE = `CASE n.type WHEN 'run_started' THEN 'running' WHEN 'resumed' THEN 'running'
  WHEN 'input_required' THEN 'input_required' WHEN 'run_completed' THEN 'completed'
  WHEN 'run_failed' THEN 'failed' WHEN 'run_canceled' THEN 'canceled' END`;

/**
 * Webhook subscriptions and their outbox (docs/decisions/0150-webhook-outbox.md). Statement-level
 * AFTER INSERT triggers on task_events and workflow_events write one delivery per matching
 * subscription in the same transaction as the change: a committed change always has its
 * deliveries, a rolled-back one never does, and the hot path's SQL stays as it is. With no
 * subscription to their event types the triggers stop at one scan of the (small) subscriptions
 * table; bench/webhooks measures the rest. The event id is derived from the event
 * row's id, so a delivery retried (or written twice) is the same event to the receiver.
 */
export class Webhooks1765700300000 implements MigrationInterface {
  name = 'Webhooks1765700300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook_subscriptions" (
        "webhook_id" uuid NOT NULL,
        "url" varchar(2048) NOT NULL,
        "secret" varchar(100) NOT NULL,
        "event_types" text[] NOT NULL,
        "task_id" uuid,
        "run_id" uuid,
        "description" varchar(500),
        "created_by" varchar(300),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_webhook_subscriptions" PRIMARY KEY ("webhook_id"),
        CONSTRAINT "chk_webhook_subscriptions_scope" CHECK ("task_id" IS NULL OR "run_id" IS NULL),
        CONSTRAINT "chk_webhook_subscriptions_types" CHECK (cardinality("event_types") > 0),
        -- A subscription to one task or run goes when retention removes it.
        CONSTRAINT "fk_webhook_subscriptions_task" FOREIGN KEY ("task_id") REFERENCES "task_history" ("task_id") ON DELETE CASCADE,
        CONSTRAINT "fk_webhook_subscriptions_run" FOREIGN KEY ("run_id") REFERENCES "workflow_runs" ("run_id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX "idx_webhook_subscriptions_task" ON "webhook_subscriptions" ("task_id") WHERE "task_id" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "idx_webhook_subscriptions_run" ON "webhook_subscriptions" ("run_id") WHERE "run_id" IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "delivery_id" BIGSERIAL NOT NULL,
        "webhook_id" uuid NOT NULL,
        "event_id" varchar(100) NOT NULL,
        "event_type" varchar(40) NOT NULL,
        "payload" jsonb NOT NULL,
        "status" varchar(12) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "retry_until" TIMESTAMP WITH TIME ZONE,
        "last_status_code" integer,
        "last_error" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("delivery_id"),
        CONSTRAINT "uq_webhook_deliveries_event" UNIQUE ("webhook_id", "event_id"),
        CONSTRAINT "chk_webhook_deliveries_status" CHECK ("status" IN ('pending', 'delivered', 'dead')),
        CONSTRAINT "fk_webhook_deliveries_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhook_subscriptions" ("webhook_id") ON DELETE CASCADE
      )`);
    // The worker's claim scans only what is due; retention only what is finished.
    await q.query(
      `CREATE INDEX "idx_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await q.query(
      `CREATE INDEX "idx_webhook_deliveries_finished" ON "webhook_deliveries" ("finished_at") WHERE "status" <> 'pending'`,
    );
    await q.query(`
      CREATE TABLE "webhook_delivery_attempts" (
        "delivery_id" bigint NOT NULL,
        "attempt" integer NOT NULL,
        "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "status_code" integer,
        "error" text,
        "duration_ms" integer NOT NULL,
        "instance" varchar(64),
        CONSTRAINT "PK_webhook_delivery_attempts" PRIMARY KEY ("delivery_id", "attempt"),
        CONSTRAINT "fk_webhook_delivery_attempts_delivery" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries" ("delivery_id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE FUNCTION webhook_outbox_task_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE event_types && ${TASK_TYPES}) THEN RETURN NULL; END IF;
        INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
        WITH subs AS MATERIALIZED (
          SELECT webhook_id, event_types, task_id, run_id FROM webhook_subscriptions WHERE event_types && ${TASK_TYPES}
        ), ev AS MATERIALIZED (
          SELECT 'task_event:' || n.id AS event_id, 'task.status_changed' AS event_type, n.task_id,
                 t.workflow_run_id AS run_id, n.created_at,
                 jsonb_build_object('task_id', n.task_id, 'run_id', t.workflow_run_id, 'status', n.status,
                   'event', n.type, 'attempt', n.attempt, 'agent_id', n.agent_id, 'detail', n.detail) AS data
            FROM new_events n JOIN task_history t ON t.task_id = n.task_id
           WHERE n.type IN ${TASK_STATUS_TYPES}
          UNION ALL
          -- A dead-lettered task message reaches PostgreSQL as a failed attempt whose error says so.
          SELECT 'dead_letter:' || n.id, 'dead_letter.created', n.task_id, t.workflow_run_id, n.created_at,
                 jsonb_build_object('task_id', n.task_id, 'run_id', t.workflow_run_id, 'attempt', n.attempt,
                   'agent_id', n.agent_id, 'error', n.detail ->> 'error')
            FROM new_events n JOIN task_history t ON t.task_id = n.task_id
           WHERE n.detail ->> 'error' LIKE 'dead_lettered%'
        ), matched AS (
          -- One equality join per scope (hashable), not one OR-join of every event with every subscription.
          SELECT s.webhook_id, ev.* FROM ev JOIN subs s ON s.task_id = ev.task_id AND ev.event_type = ANY (s.event_types)
          UNION ALL
          SELECT s.webhook_id, ev.* FROM ev JOIN subs s ON s.run_id = ev.run_id AND ev.event_type = ANY (s.event_types)
          UNION ALL
          SELECT s.webhook_id, ev.* FROM ev JOIN subs s ON s.task_id IS NULL AND s.run_id IS NULL AND ev.event_type = ANY (s.event_types)
        )
        SELECT webhook_id, event_id, event_type,
               jsonb_build_object('id', event_id, 'type', event_type, 'created_at', created_at, 'data', data)
          FROM matched
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION webhook_outbox_workflow_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE event_types && ${RUN_TYPES}) THEN RETURN NULL; END IF;
        INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
        WITH subs AS MATERIALIZED (
          SELECT webhook_id, event_types, task_id, run_id FROM webhook_subscriptions
           WHERE event_types && ${RUN_TYPES} AND task_id IS NULL
        ), ev AS MATERIALIZED (
          SELECT 'run_event:' || n.id AS event_id, 'run.status_changed' AS event_type, n.run_id, n.created_at,
                 jsonb_build_object('run_id', n.run_id, 'workflow', r.workflow, 'status', ${RUN_STATUS_CASE},
                   'event', n.type, 'step_key', n.step_key, 'detail', n.detail) AS data
            FROM new_events n JOIN workflow_runs r ON r.run_id = n.run_id
           WHERE ${RUN_STATUS_CASE} IS NOT NULL
          UNION ALL
          SELECT 'approval:' || n.id, 'approval.needed', n.run_id, n.created_at,
                 jsonb_build_object('run_id', n.run_id, 'workflow', r.workflow, 'step_key', n.step_key,
                   'prompt', n.detail -> 'prompt', 'decisions', n.detail -> 'decisions')
            FROM new_events n JOIN workflow_runs r ON r.run_id = n.run_id
           WHERE n.type = 'input_required'
        ), matched AS (
          SELECT s.webhook_id, ev.* FROM ev JOIN subs s ON s.run_id = ev.run_id AND ev.event_type = ANY (s.event_types)
          UNION ALL
          SELECT s.webhook_id, ev.* FROM ev JOIN subs s ON s.run_id IS NULL AND ev.event_type = ANY (s.event_types)
        )
        SELECT webhook_id, event_id, event_type,
               jsonb_build_object('id', event_id, 'type', event_type, 'created_at', created_at, 'data', data)
          FROM matched
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER "trg_task_events_webhooks" AFTER INSERT ON "task_events"
        REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_task_events()`);
    await q.query(`
      CREATE TRIGGER "trg_workflow_events_webhooks" AFTER INSERT ON "workflow_events"
        REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION webhook_outbox_workflow_events()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "trg_workflow_events_webhooks" ON "workflow_events"`);
    await q.query(`DROP TRIGGER "trg_task_events_webhooks" ON "task_events"`);
    await q.query(`DROP FUNCTION webhook_outbox_workflow_events()`);
    await q.query(`DROP FUNCTION webhook_outbox_task_events()`);
    await q.query(`DROP TABLE "webhook_delivery_attempts"`);
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_subscriptions"`);
  }
}
