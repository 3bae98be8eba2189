import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { StreamResponse, Task, TaskPushNotificationConfig, taskStateToJSON } from '@a2a-js/sdk';
import type { PushNotificationSender, PushNotificationStore, ServerCallContext } from '@a2a-js/sdk/server';
import { KeyedSerializer, webhookSignature } from '@app/edge';
import { Database } from '@app/persistence';

/** Push-notification configs in PostgreSQL (any replica delivers, they survive restarts). */
export class PgPushNotificationStore implements PushNotificationStore {
  constructor(private readonly db: Database) {}

  async save(taskId: string, _context: ServerCallContext, config: TaskPushNotificationConfig): Promise<void> {
    // The handler answers with this object: an id given here is the one the client sees.
    if (!config.id) config.id = randomUUID();
    config.taskId = taskId;
    await this.db.query(
      `INSERT INTO a2a_push_configs (task_id, config_id, config) VALUES ($1, $2, $3)
       ON CONFLICT (task_id, config_id) DO UPDATE SET config = EXCLUDED.config`,
      [taskId, config.id, TaskPushNotificationConfig.toJSON(config)],
    );
  }

  async load(taskId: string): Promise<TaskPushNotificationConfig[]> {
    const rows = await this.db.query<{ config: unknown }>(
      `SELECT config FROM a2a_push_configs WHERE task_id = $1 ORDER BY created_at, config_id`,
      [taskId],
    );
    return rows.map((r) => TaskPushNotificationConfig.fromJSON(r.config));
  }

  async delete(taskId: string, _context: ServerCallContext, configId?: string): Promise<void> {
    if (configId === undefined) await this.db.query(`DELETE FROM a2a_push_configs WHERE task_id = $1`, [taskId]);
    else await this.db.query(`DELETE FROM a2a_push_configs WHERE task_id = $1 AND config_id = $2`, [taskId, configId]);
  }

  /** One delivery attempt of an event to a config's URL, for operators reading a2a_push_deliveries. */
  async recordDelivery(d: {
    taskId: string;
    configId: string;
    url: string;
    state: string;
    attempt: number;
    statusCode: number | null;
    ok: boolean;
    error: string | null;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO a2a_push_deliveries (task_id, config_id, url, state, attempt, status_code, ok, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.taskId, d.configId, d.url, d.state, d.attempt, d.statusCode, d.ok, d.error],
    );
  }
}

export interface PushOptions {
  secret?: string;
  maxAttempts: number;
  timeoutMs: number;
  /** First retry delay; doubles per attempt. */
  backoffMs?: number;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">`: the webhooks' scheme (libs/edge). */
export const signPush = webhookSignature;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivers each event of a task to its webhooks: signed (A2A-Signature), retried with
 * exponential backoff on network errors and 5xx/429, every attempt recorded in
 * a2a_push_deliveries. Deliveries of one task go out in order; the event flow never waits.
 */
export class SignedPushSender implements PushNotificationSender {
  private readonly log = new Logger(SignedPushSender.name);
  private readonly chains = new KeyedSerializer();

  constructor(
    private readonly store: PgPushNotificationStore,
    private readonly options: PushOptions,
  ) {}

  send(event: StreamResponse, _context: ServerCallContext, task?: Task): Promise<void> {
    const p = event.payload;
    const taskId =
      p?.$case === 'task'
        ? p.value.id
        : p?.$case === 'statusUpdate' || p?.$case === 'artifactUpdate'
          ? p.value.taskId
          : p?.$case === 'message'
            ? p.value.taskId
            : undefined;
    if (!taskId) return Promise.resolve();
    const state = task?.status ? taskStateToJSON(task.status.state) : 'unknown';
    const body = JSON.stringify(StreamResponse.toJSON(event));
    void this.chains
      .run(taskId, async () => {
        const configs = await this.store.load(taskId);
        await Promise.all(configs.map((c) => this.deliver(taskId, c, body, state)));
      })
      .catch((error: unknown) => this.log.warn(`push for ${taskId} not delivered: ${(error as Error).message}`));
    return Promise.resolve();
  }

  private async deliver(
    taskId: string,
    config: TaskPushNotificationConfig,
    body: string,
    state: string,
  ): Promise<void> {
    const backoff = this.options.backoffMs ?? 200;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (config.token) headers['x-a2a-notification-token'] = config.token;
      if (config.authentication?.scheme)
        headers.authorization = `${config.authentication.scheme} ${config.authentication.credentials}`;
      if (this.options.secret)
        headers['a2a-signature'] = signPush(this.options.secret, Math.floor(Date.now() / 1000), body);
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await fetch(config.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (e) {
        error = (e as Error).message;
      }
      const ok = status !== null && status >= 200 && status < 300;
      await this.store
        .recordDelivery({ taskId, configId: config.id, url: config.url, state, attempt, statusCode: status, ok, error })
        .catch((e: unknown) => this.log.warn(`push delivery not recorded: ${(e as Error).message}`));
      // A 4xx other than 429 will not get better by retrying.
      if (ok || (status !== null && status >= 400 && status < 500 && status !== 429)) return;
      if (attempt < this.options.maxAttempts) await sleep(backoff * 2 ** (attempt - 1));
    }
  }
}
