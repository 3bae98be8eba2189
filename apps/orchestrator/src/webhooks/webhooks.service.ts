import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { fieldError } from '../common/field-error';
import { CreateWebhookDto } from './dto/webhook.dto';
import { checkTarget, TargetRefused } from './webhook-target';
import { AttemptRow, DeliveryRow, SubscriptionRow, WebhooksRepository } from './webhooks.repository';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Subscriptions (the secret shown once, at creation) and their deliveries, listed and replayed by operators. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: WebhooksRepository,
  ) {}

  async create(dto: CreateWebhookDto, createdBy: string | null) {
    if (dto.task_id && dto.run_id) throw fieldError('run_id', 'give task_id or run_id, not both');
    let url: string;
    try {
      url = await checkTarget(dto.url, this.config.webhooks);
    } catch (error) {
      if (error instanceof TargetRefused) throw fieldError('url', error.message);
      throw error;
    }
    if (dto.task_id && !(await this.store.exists('task_history', dto.task_id)))
      throw fieldError('task_id', `no task ${dto.task_id}`);
    if (dto.run_id && !(await this.store.exists('workflow_runs', dto.run_id)))
      throw fieldError('run_id', `no workflow run ${dto.run_id}`);
    const row = await this.store.insert({
      webhook_id: randomUUID(),
      url,
      // Like Stripe's: a prefix says what it is; 32 random bytes are the key.
      secret: `whsec_${randomBytes(32).toString('base64url')}`,
      event_types: dto.event_types,
      task_id: dto.task_id ?? null,
      run_id: dto.run_id ?? null,
      description: dto.description ?? null,
      created_by: createdBy,
    });
    return { ...view(row), secret: row.secret };
  }

  async list() {
    const rows = await this.store.list();
    const counts = await this.store.counts(rows.map((r) => r.webhook_id));
    return { webhooks: rows.map((r) => ({ ...view(r), deliveries: countsOf(counts.get(r.webhook_id)) })) };
  }

  async get(webhookId: string) {
    const row = await this.required(webhookId);
    const counts = await this.store.counts([webhookId]);
    return { ...view(row), deliveries: countsOf(counts.get(webhookId)) };
  }

  async delete(webhookId: string): Promise<void> {
    if (!(await this.store.delete(webhookId))) throw notFound(webhookId);
  }

  async deliveries(webhookId: string, status: string | undefined, limit: number, after?: string) {
    await this.required(webhookId);
    const rows = await this.store.deliveries(webhookId, status, limit, after);
    const attempts = await this.store.attempts(rows.map((r) => r.delivery_id));
    return {
      deliveries: rows.map((r) => deliveryView(r, attempts)),
      next_cursor: rows.length === limit ? rows[rows.length - 1].delivery_id : null,
    };
  }

  async replayOne(webhookId: string, deliveryId: string) {
    await this.required(webhookId);
    const [row] = await this.store.replay(webhookId, this.config.webhooks.retryForSeconds, deliveryId);
    if (row) return deliveryView(row, []);
    const existing = await this.store.delivery(webhookId, deliveryId);
    if (!existing)
      throw new DomainException('not_found', 'WEBHOOK_DELIVERY_NOT_FOUND', `delivery_id: no delivery ${deliveryId}`);
    throw new DomainException(
      'conflict',
      'WEBHOOK_DELIVERY_NOT_DEAD',
      `delivery_id: delivery ${deliveryId} is ${existing.status}; only dead deliveries are replayed`,
    );
  }

  /** Every delivery dead when the statement runs; later failures wait for the next replay. */
  async replayDead(webhookId: string) {
    await this.required(webhookId);
    const rows = await this.store.replay(webhookId, this.config.webhooks.retryForSeconds);
    return { replayed: rows.length, delivery_ids: rows.map((r) => r.delivery_id) };
  }

  private async required(webhookId: string): Promise<SubscriptionRow> {
    const row = await this.store.get(webhookId);
    if (!row) throw notFound(webhookId);
    return row;
  }
}

function notFound(webhookId: string): DomainException {
  return new DomainException('not_found', 'WEBHOOK_NOT_FOUND', `webhook_id: no webhook ${webhookId}`);
}

/** A subscription as listed: never its secret. */
function view(r: SubscriptionRow) {
  return {
    webhook_id: r.webhook_id,
    url: r.url,
    event_types: r.event_types,
    task_id: r.task_id,
    run_id: r.run_id,
    description: r.description,
    created_by: r.created_by,
    created_at: iso(r.created_at),
  };
}

function countsOf(c: Record<string, number> | undefined) {
  return { pending: c?.pending ?? 0, delivered: c?.delivered ?? 0, dead: c?.dead ?? 0 };
}

function deliveryView(r: DeliveryRow, attempts: AttemptRow[]) {
  return {
    delivery_id: r.delivery_id,
    event_id: r.event_id,
    event_type: r.event_type,
    status: r.status,
    attempts: r.attempts,
    next_attempt_at: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    created_at: iso(r.created_at),
    finished_at: iso(r.finished_at),
    payload: r.payload,
    attempt_log: attempts
      .filter((a) => a.delivery_id === r.delivery_id)
      .map((a) => ({
        attempt: a.attempt,
        at: iso(a.at),
        status_code: a.status_code,
        error: a.error,
        duration_ms: a.duration_ms,
      })),
  };
}
