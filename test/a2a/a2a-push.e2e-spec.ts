import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { TaskState } from '@a2a-js/sdk';
import { DataSource } from 'typeorm';
import { TestSystem, waitFor } from '../orchestrator/support/system';
import { TEST_DATABASE_URL } from '../support/test-env';
import { a2aClient, asTask, data, sendParams, text, userMessage } from './a2a-client';

jest.setTimeout(90_000);

const SECRET = 'push-secret-for-the-e2e-test';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** Recomputes the signature exactly as a receiver would. */
function verify(header: string | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', SECRET).update(`${m[1]}.${body}`).digest('hex');
  return expected === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
}

describe('A2A push notifications: signed, retried, recorded (real PostgreSQL, Redis)', () => {
  const system = new TestSystem();
  let receiver: Server;
  let url: string;
  const received: Received[] = [];
  let failFirst = true;
  let db: DataSource;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failFirst) {
          failFirst = false;
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await system.start({ hosts: ['DEV-002'], orchestratorEnv: { A2A_PUSH_SECRET: SECRET } });
    await system.agentsOnline(['DEV-002']);
    db = await new DataSource({ type: 'postgres', url: TEST_DATABASE_URL }).initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await system.stop();
    await new Promise((r) => receiver.close(r));
  });

  it('creates, gets, lists and deletes configs, and delivers every event signed, retrying a 503', async () => {
    const client = await a2aClient(system.url, 'HTTP+JSON');
    const started = asTask(
      await client.sendMessage(
        sendParams(
          userMessage([text('Review the checkout'), data({ scripted: { latency_ms: 1500 } })], {
            metadata: { agent_id: 'DEV-002' },
          }),
          true,
        ),
      ),
    );
    const created = await client.createTaskPushNotificationConfig({
      tenant: '',
      id: '',
      taskId: started.id,
      url,
      token: 'receiver-token',
      authentication: undefined,
    });
    expect(created.id).not.toBe('');
    const got = await client.getTaskPushNotificationConfig({ tenant: '', taskId: started.id, id: created.id });
    expect(got.url).toBe(url);
    const listed = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: started.id,
      pageSize: 0,
      pageToken: '',
    });
    expect(listed.configs.map((c) => c.id)).toEqual([created.id]);

    const final = await waitFor('the completed event delivered', () =>
      received.find(
        (r) =>
          (JSON.parse(r.body) as { statusUpdate?: { status: { state: string } } }).statusUpdate?.status.state ===
          'TASK_STATE_COMPLETED',
      ),
    );
    expect(final.headers['x-a2a-notification-token']).toBe('receiver-token');
    expect(received.every((r) => verify(r.headers['a2a-signature'] as string | undefined, r.body))).toBe(true);
    expect(verify(final.headers['a2a-signature'] as string, final.body.replace('COMPLETED', 'FAILED'))).toBe(false);
    const attempts: { attempt: number; ok: boolean; status_code: number | null }[] = await db.query(
      `SELECT attempt, ok, status_code FROM a2a_push_deliveries WHERE task_id = $1 ORDER BY id`,
      [started.id],
    );
    expect(attempts[0]).toEqual({ attempt: 1, ok: false, status_code: 503 });
    expect(attempts[1]).toEqual({ attempt: 2, ok: true, status_code: 200 });
    expect(attempts.filter((a) => a.ok)).toHaveLength(received.length);

    await client.deleteTaskPushNotificationConfig({ tenant: '', taskId: started.id, id: created.id });
    const after = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: started.id,
      pageSize: 0,
      pageToken: '',
    });
    expect(after.configs).toEqual([]);
    const t = await client.getTask({ tenant: '', id: started.id });
    expect(t.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });
});
