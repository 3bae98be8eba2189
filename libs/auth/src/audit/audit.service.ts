import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AUTH_OPTIONS, AuthModuleOptions } from '../auth.options';
import { actorOf, Principal } from '../principal';
import { AuditEvent, AuditFilter, AuditOutcome, AuditRepository, AuditRow } from './audit.repository';

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

  async record(record: AuditRecord, manager?: EntityManager): Promise<void> {
    await this.repository.insert(this.event(record), manager);
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
