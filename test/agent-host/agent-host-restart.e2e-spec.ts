import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { TEST_DATABASE_URL } from '../support/test-env';
import {
  call,
  cleanupPrefix,
  forgetAgents,
  HostUnderTest,
  ResultsReader,
  startHost,
  TaskSender,
  uniqueTransportPrefix,
  waitFor,
} from './support/agent-host-harness';

const AGENT = 'QA-002';

describe('agent host restart and graceful shutdown', () => {
  let registry: RegistryUnderTest;
  let prefix: string;
  let env: Record<string, string>;
  let results: ResultsReader;
  let sender: TaskSender;
  let db: Client;
  let host: HostUnderTest | undefined;

  beforeAll(async () => {
    await forgetAgents([AGENT, 'QA-004']);
    registry = await startRegistry({ HEARTBEAT_INTERVAL_SECONDS: '1', HEARTBEAT_TTL_SECONDS: '3' });
    prefix = uniqueTransportPrefix();
    env = {
      AGENT_IDS: `${AGENT},QA-004`,
      REGISTRY_URL: registry.baseUrl,
      TRANSPORT_KEY_PREFIX: prefix,
      AGENT_HOST_INSTANCE_ID: `e2e-restart-${randomUUID().slice(0, 8)}`,
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_TTL_SECONDS: '3',
    };
    results = new ResultsReader(prefix);
    sender = new TaskSender(prefix);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await host?.close();
    await registry?.close();
    await sender?.close();
    await results?.close();
    await db?.end();
    await cleanupPrefix(prefix);
    await cleanupRegistryKeys(registry.prefix);
  });

  const statusOf = async (h: HostUnderTest) =>
    (await call(h.baseUrl, 'GET', '/status')).body.agents.find((a: { agent_id: string }) => a.agent_id === AGENT);

  it('persists agent state, marks agents offline on shutdown, and restores the state on restart', async () => {
    host = await startHost(env);
    await waitFor('registration', async () => (await statusOf(host!)).registered === true);

    const tasks: TaskExecuteMessage[] = [];
    for (let i = 0; i < 3; i++) tasks.push(await sender.execute(AGENT));
    for (const t of tasks) expect((await results.result(t.task_id)).payload.status).toBe('completed');
    expect((await statusOf(host)).tasks_completed).toBe(3);

    const row = await waitFor('agent_state row with 3 completed tasks', async () => {
      const res = await db.query<{ state: { tasks_completed: number; recent_task_ids: string[] } }>(
        'SELECT state FROM agent_state WHERE agent_id = $1',
        [AGENT],
      );
      return res.rows[0]?.state.tasks_completed === 3 ? res.rows[0] : undefined;
    });
    expect(row.state.recent_task_ids).toEqual(expect.arrayContaining(tasks.map((t) => t.task_id)));

    // A task still running when shutdown starts is finished (and reported) before the host exits.
    const inFlight = await sender.execute(AGENT, { input: { scripted: { latency_ms: 800 } } });
    await waitFor('in-flight task started', async () => {
      await results.poll();
      return results.of(inFlight.task_id, TaskPatterns.Started).length === 1;
    });
    await host.close();
    host = undefined;
    await results.poll();
    expect(results.of(inFlight.task_id, TaskPatterns.Result)[0]?.payload.status).toBe('completed');
    const offline = await registry.call('GET', `/api/agents/${AGENT}`);
    expect(offline.body.status).toBe('offline');

    host = await startHost(env);
    expect((await statusOf(host)).tasks_completed).toBe(4);
    await waitFor(
      'online again after restart',
      async () => (await registry.call('GET', `/api/agents/${AGENT}`)).body.status === 'online',
    );

    const after = await sender.execute(AGENT);
    expect((await results.result(after.task_id)).payload.status).toBe('completed');
    expect((await statusOf(host)).tasks_completed).toBe(5);
  });

  it('registers again when the registry forgets an agent', async () => {
    const deleted = await registry.call('DELETE', `/api/agents/QA-004`);
    expect([200, 204]).toContain(deleted.status);
    const back = await waitFor('QA-004 registered again', async () => {
      const res = await registry.call('GET', '/api/agents/QA-004');
      return res.status === 200 ? res.body : undefined;
    });
    expect(back).toMatchObject({ agent_id: 'QA-004', status: 'online' });
  });
});
