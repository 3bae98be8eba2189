import { Client } from 'pg';
import { verifyWebhookSignature } from '@app/edge';
import { TEST_DATABASE_URL } from '../../support/test-env';
import { call, Json, Started, TestSystem } from './system';
import { Received, WebhookReceiver } from './webhook-receiver';

/** What the webhook suites share: a system without agent hosts, receivers, and the outbox as PostgreSQL holds it. */
export class WebhooksFixture {
  readonly system = new TestSystem();
  readonly db = new Client({ connectionString: TEST_DATABASE_URL });
  /** Orchestrators a test started beside the system's; closed at the end if the test did not. */
  readonly extra: Started[] = [];
  private readonly receivers: WebhookReceiver[] = [];
  private readonly created: string[] = [];

  async start(orchestratorEnv: Record<string, string>): Promise<void> {
    await this.db.connect();
    await this.system.start({ orchestratorEnv });
  }

  async stop(): Promise<void> {
    for (const o of this.extra) await o.close().catch(() => undefined);
    await this.system.stop();
    for (const r of this.receivers) await r.close();
    await this.db.query(`DELETE FROM webhook_subscriptions WHERE webhook_id = ANY($1::uuid[])`, [this.created]);
    await this.db.end();
  }

  async receiver(): Promise<WebhookReceiver> {
    const r = await new WebhookReceiver().start();
    this.receivers.push(r);
    return r;
  }

  async subscribe(body: Json, base = this.system.url): Promise<Json> {
    const r = await call(base, 'POST', '/api/webhooks', body);
    expect([r.status, r.body.message]).toEqual([201, undefined]);
    this.created.push(r.body.webhook_id);
    return r.body;
  }

  /** A task for DEV-001, which no host runs (until a test starts one): it stays pending until canceled. */
  async submit(title: string): Promise<string> {
    const r = await this.system.call('POST', '/api/tasks', { title, agent_id: 'DEV-001' });
    expect(r.status).toBe(202);
    return r.body.task_id;
  }

  async deliveries(webhookId: string) {
    return (
      await this.db.query<{ delivery_id: string; event_id: string; status: string; attempts: number }>(
        `SELECT delivery_id::text, event_id, status, attempts FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY delivery_id`,
        [webhookId],
      )
    ).rows;
  }

  /** The signature verifies over the raw body, and the body's id is the `webhook-id` header. */
  static signedBy(secret: string, r: Received): boolean {
    return (
      verifyWebhookSignature(secret, r.body, r.headers['webhook-signature'] as string) &&
      (JSON.parse(r.body) as { id: string }).id === r.headers['webhook-id']
    );
  }
}
