import { Injectable } from '@nestjs/common';
import { Database } from '@app/persistence';

export interface SubscriptionRow {
  webhook_id: string;
  url: string;
  secret: string;
  event_types: string[];
  task_id: string | null;
  run_id: string | null;
  description: string | null;
  created_by: string | null;
  created_at: Date;
}

export interface DeliveryRow {
  delivery_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: Date;
  retry_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  instance: string | null;
}

/** A claimed delivery with what sending it needs. */
export type ClaimedDelivery = DeliveryRow & { url: string; secret: string };

export interface AttemptOutcome {
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  /** What the delivery becomes: delivered, dead, or pending again at `next_attempt_at`. */
  status: 'delivered' | 'dead' | 'pending';
  next_attempt_at?: Date;
}

const DELIVERY_COLUMNS = `d.delivery_id::text AS delivery_id, d.webhook_id, d.event_id, d.event_type, d.payload, d.status,
  d.attempts, d.next_attempt_at, d.retry_until, d.last_status_code, d.last_error, d.created_at, d.finished_at`;

@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: Database) {}

  async insert(s: Omit<SubscriptionRow, 'created_at'>): Promise<SubscriptionRow> {
    const rows = await this.db.query<SubscriptionRow>(
      `INSERT INTO webhook_subscriptions (webhook_id, url, secret, event_types, task_id, run_id, description, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [s.webhook_id, s.url, s.secret, s.event_types, s.task_id, s.run_id, s.description, s.created_by],
    );
    return rows[0];
  }

  async exists(table: 'task_history' | 'workflow_runs', id: string): Promise<boolean> {
    const column = table === 'task_history' ? 'task_id' : 'run_id';
    const rows = await this.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [id]);
    return rows.length > 0;
  }

  list(): Promise<SubscriptionRow[]> {
    return this.db.query<SubscriptionRow>(`SELECT * FROM webhook_subscriptions ORDER BY created_at, webhook_id`);
  }

  async get(webhookId: string): Promise<SubscriptionRow | undefined> {
    const rows = await this.db.query<SubscriptionRow>(`SELECT * FROM webhook_subscriptions WHERE webhook_id = $1`, [
      webhookId,
    ]);
    return rows[0];
  }

  /** Delivery counts by status, per subscription. */
  async counts(webhookIds: string[]): Promise<Map<string, Record<string, number>>> {
    const rows = await this.db.query<{ webhook_id: string; status: string; n: number }>(
      `SELECT webhook_id, status, count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = ANY($1::uuid[]) GROUP BY 1, 2`,
      [webhookIds],
    );
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) out.set(r.webhook_id, { ...(out.get(r.webhook_id) ?? {}), [r.status]: r.n });
    return out;
  }

  async delete(webhookId: string): Promise<boolean> {
    const rows = await this.db.query(`DELETE FROM webhook_subscriptions WHERE webhook_id = $1 RETURNING 1`, [
      webhookId,
    ]);
    return rows.length > 0;
  }

  /** One page, newest first; `after` is the last delivery id of the previous page. */
  deliveries(webhookId: string, status: string | undefined, limit: number, after?: string): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
        WHERE d.webhook_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::bigint IS NULL OR d.delivery_id < $3::bigint)
        ORDER BY d.delivery_id DESC LIMIT $4`,
      [webhookId, status ?? null, after ?? null, limit],
    );
  }

  attempts(deliveryIds: string[]): Promise<AttemptRow[]> {
    return this.db.query<AttemptRow>(
      `SELECT delivery_id::text AS delivery_id, attempt, at, status_code, error, duration_ms, instance
         FROM webhook_delivery_attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, attempt`,
      [deliveryIds],
    );
  }

  /**
   * Dead deliveries of a subscription (one, or all of them as of this statement's snapshot) go
   * back to pending with a fresh retry window; the event id stays, so receivers still dedupe.
   */
  async replay(webhookId: string, retryForSeconds: number, deliveryId?: string): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = now(), finished_at = NULL,
              retry_until = now() + make_interval(secs => $2)
        WHERE d.webhook_id = $1 AND d.status = 'dead' AND ($3::bigint IS NULL OR d.delivery_id = $3::bigint)
        RETURNING ${DELIVERY_COLUMNS}`,
      [webhookId, retryForSeconds, deliveryId ?? null],
    );
  }

  async delivery(webhookId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
    const rows = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.webhook_id = $1 AND d.delivery_id = $2::bigint`,
      [webhookId, deliveryId],
    );
    return rows[0];
  }

  /**
   * Claims due deliveries for this replica: SKIP LOCKED so replicas never wait on or double-claim
   * each other, and a lease (next_attempt_at moved past the request's time limit) so a replica
   * that dies mid-request leaves the delivery to another once the lease ends. The attempt number
   * is taken at claim time: an attempt lost with its replica still counts.
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.db.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT delivery_id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
           FROM due WHERE d.delivery_id = due.delivery_id
         RETURNING d.*
       )
       SELECT ${DELIVERY_COLUMNS}, s.url, s.secret FROM claimed d JOIN webhook_subscriptions s USING (webhook_id)
        ORDER BY d.delivery_id`,
      [limit, leaseMs],
    );
  }

  /** Records attempts and their outcomes in one transaction; an outcome whose lease was taken over is still recorded. */
  async record(outcomes: AttemptOutcome[], instance: string): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.query(
      `WITH o AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(delivery_id bigint, attempt int, status_code int, error text,
           duration_ms int, status text, next_attempt_at timestamptz)
       ), a AS (
         -- A delivery whose subscription was deleted meanwhile has nothing left to record against.
         INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code, error, duration_ms, instance)
         SELECT o.delivery_id, o.attempt, o.status_code, o.error, o.duration_ms, $2 FROM o
          WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.delivery_id = o.delivery_id)
         ON CONFLICT DO NOTHING
       )
       UPDATE webhook_deliveries d
          SET status = o.status, last_status_code = o.status_code, last_error = o.error,
              next_attempt_at = COALESCE(o.next_attempt_at, d.next_attempt_at),
              finished_at = CASE WHEN o.status = 'pending' THEN NULL ELSE now() END
         FROM o WHERE d.delivery_id = o.delivery_id AND d.status = 'pending'`,
      [
        JSON.stringify(outcomes.map((o) => ({ ...o, next_attempt_at: o.next_attempt_at?.toISOString() ?? null }))),
        instance,
      ],
    );
  }

  /**
   * A dead letter of the orchestrator's own streams, as a delivery to every subscription to
   * dead_letter.created not scoped to a task or run (the event id makes a second write a no-op).
   */
  async enqueueBusDeadLetter(eventId: string, payload: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload)
       SELECT webhook_id, $1, 'dead_letter.created', $2::jsonb FROM webhook_subscriptions
        WHERE 'dead_letter.created' = ANY (event_types) AND task_id IS NULL AND run_id IS NULL
       ON CONFLICT DO NOTHING`,
      [eventId, JSON.stringify(payload)],
    );
  }

  /** Rows waiting to be sent and rows dead (each counted through its partial index). */
  async backlog(): Promise<{ pending: number; dead: number }> {
    const rows = await this.db.query<{ pending: number; dead: number }>(
      `SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE status = 'pending') AS pending,
              (SELECT count(*)::int FROM webhook_deliveries WHERE status = 'dead') AS dead`,
    );
    return rows[0];
  }
}
