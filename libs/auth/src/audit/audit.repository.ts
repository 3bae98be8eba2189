import { Injectable } from '@nestjs/common';
import { Database, Sql, Tx } from '@app/persistence';

export type AuditOutcome = 'success' | 'failure' | 'denied' | 'unauthenticated' | 'rate_limited';

export interface AuditEvent {
  service: string;
  actor: string | null;
  actorKind: string | null;
  action: string;
  resource: string | null;
  requestId: string | null;
  outcome: AuditOutcome;
  statusCode?: number;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: Date;
  service: string;
  actor: string | null;
  actor_kind: string | null;
  action: string;
  resource: string | null;
  request_id: string | null;
  outcome: AuditOutcome;
  status_code: number | null;
  detail: Record<string, unknown> | null;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  resource?: string;
  outcome?: string;
  service?: string;
  since?: Date;
  until?: Date;
  /** Rows with an id below this (paging newest first). */
  before?: string;
  limit: number;
}

const INSERT = `INSERT INTO audit_events (service, actor, actor_kind, action, resource, request_id, outcome, status_code, detail)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

export function auditParams(e: AuditEvent): unknown[] {
  return [
    e.service,
    e.actor,
    e.actorKind,
    e.action.slice(0, 100),
    e.resource?.slice(0, 300) ?? null,
    e.requestId,
    e.outcome,
    e.statusCode ?? null,
    e.detail ? JSON.stringify(e.detail) : null,
  ];
}

/** Every query of audit_events (append-only: insert, read, delete by age). */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  /** Inside the caller's transaction when given one, so the row commits (or not) with the change. */
  async insert(event: AuditEvent, sql: Sql = this.db): Promise<void> {
    await sql.query(INSERT, auditParams(event));
  }

  /**
   * A change and its audit row in one transaction: `work` makes the change on `tx` and returns its
   * value with the row to write (none: nothing changed, no row).
   */
  withRow<T>(work: (tx: Tx) => Promise<{ value: T; row?: AuditEvent }>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const done = await work(tx);
      if (done.row) await this.insert(done.row, tx);
      return done.value;
    });
  }

  async find(filter: AuditFilter): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.resource !== undefined) add('resource = ?', filter.resource);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    if (filter.service !== undefined) add('service = ?', filter.service);
    if (filter.since !== undefined) add('at >= ?', filter.since);
    if (filter.until !== undefined) add('at < ?', filter.until);
    if (filter.before !== undefined) add('id < ?', filter.before);
    params.push(filter.limit);
    return this.db.query<AuditRow>(
      `SELECT id::text AS id, at, service, actor, actor_kind, action, resource, request_id, outcome, status_code, detail
       FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `WITH removed AS (DELETE FROM audit_events WHERE at < $1 RETURNING 1) SELECT count(*)::int AS n FROM removed`,
      [cutoff],
    );
    return rows[0].n;
  }
}
