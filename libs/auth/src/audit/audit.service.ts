import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { Sql, Tx } from '@app/persistence';
import { AUTH_OPTIONS, AuthModuleOptions } from '../auth.options';
import { actorOf, Principal } from '../principal';
import { AuditEvent, AuditFilter, AuditOutcome, AuditRepository, AuditRow } from './audit.repository';
import { AuditScope } from './audit-scope';

export interface AuditRecord {
  principal?: Principal;
  action: string;
  resource: string | null;
  requestId: string | null;
  outcome: AuditOutcome;
  statusCode?: number;
  detail?: Record<string, unknown>;
}

const RETENTION_SWEEP_MS = 3_600_000;

/** An audit row as columns, for statements that insert it themselves (the task group commit). */
export interface AuditColumns {
  service: string;
  actor: string | null;
  actor_kind: string | null;
  action: string;
  request_id: string | null;
  status_code: number | null;
}

/** Writes audit rows for this app (in a caller's transaction when given one) and applies retention. */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly repository: AuditRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auth.auditRetentionDays === 0) return;
    this.timer = setInterval(() => void this.applyRetention(), RETENTION_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  event(record: AuditRecord): AuditEvent {
    return {
      service: this.options.service,
      actor: actorOf(record.principal),
      actorKind: record.principal?.kind ?? null,
      action: record.action,
      resource: record.resource,
      requestId: record.requestId,
      outcome: record.outcome,
      statusCode: record.statusCode,
      detail: record.detail,
    };
  }

  /**
   * The success row of a scoped change, inside the change's transaction (`sql` runs in it).
   * Call `scope.written()` after the commit; until then the edge still owes the request a row.
   */
  async insertIn(
    sql: Sql,
    scope: AuditScope,
    fields: { resource?: string | null; detail?: Record<string, unknown> } = {},
  ): Promise<void> {
    await this.repository.insert(this.successEvent(scope, fields), sql);
  }

  /**
   * Runs `work` in a transaction that also holds the scope's success row (when there is a scope):
   * `work` makes its change through the stores on `tx` and returns its value and the resource it
   * changed; no resource = nothing changed, no row. The scope counts as written once it committed.
   */
  async transaction<T>(
    scope: AuditScope | undefined,
    work: (tx: Tx) => Promise<{ value: T; resource?: string; detail?: Record<string, unknown> }>,
  ): Promise<T> {
    return this.repository.withRow(async (tx) => {
      const done = await work(tx);
      if (!scope || done.resource === undefined) return { value: done.value };
      tx.afterCommit(() => scope.written());
      return { value: done.value, row: this.successEvent(scope, { resource: done.resource, detail: done.detail }) };
    });
  }

  /** The success row of a scope (`resource`, when given, becomes the scope's). */
  private successEvent(
    scope: AuditScope,
    fields: { resource?: string | null; detail?: Record<string, unknown> },
  ): AuditEvent {
    if (fields.resource !== undefined) scope.resource = fields.resource;
    return this.event({
      principal: scope.principal,
      action: scope.action,
      resource: scope.resource,
      requestId: scope.requestId,
      outcome: 'success',
      statusCode: scope.successStatus ?? undefined,
      detail: fields.detail,
    });
  }

  /** The columns of a scope's success row, for a statement that writes it with its change. */
  columnsOf(scope: AuditScope): AuditColumns {
    return {
      service: this.options.service,
      actor: scope.actor,
      actor_kind: scope.principal?.kind ?? null,
      action: scope.action.slice(0, 100),
      request_id: scope.requestId,
      status_code: scope.successStatus,
    };
  }

  /**
   * The edge's row for a scope the service did not write: the final outcome of a refused or failed
   * change, or of a change with no PostgreSQL transaction to share (written right after it).
   */
  async settle(scope: AuditScope, ok: boolean, statusCode?: number, detail?: Record<string, unknown>): Promise<void> {
    if (scope.isWritten) return;
    scope.written();
    await this.recordQuietly({
      principal: scope.principal,
      action: scope.action,
      resource: scope.resource,
      requestId: scope.requestId,
      outcome: ok ? 'success' : 'failure',
      statusCode,
      detail,
    });
  }

  async record(record: AuditRecord, sql?: Sql): Promise<void> {
    await this.repository.insert(this.event(record), sql);
  }

  /** For refusals: the refusal must not fail because the audit insert did (logged instead). */
  async recordQuietly(record: AuditRecord): Promise<void> {
    await this.record(record).catch((error: unknown) =>
      this.logger.error({ err: error, action: record.action }, 'audit insert failed'),
    );
  }

  find(filter: AuditFilter): Promise<AuditRow[]> {
    return this.repository.find(filter);
  }

  async applyRetention(): Promise<number> {
    const days = this.config.auth.auditRetentionDays;
    if (days === 0) return 0;
    const removed = await this.repository
      .deleteOlderThan(new Date(Date.now() - days * 86_400_000))
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'audit retention failed');
        return 0;
      });
    if (removed > 0) this.logger.log(`audit retention removed ${removed} row(s) older than ${days} days`);
    return removed;
  }
}
