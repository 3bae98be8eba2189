import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { AgentPatterns, CANCEL_CHANNEL, cancelKey, TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { createEnvelope, TransportAdmin, TransportKeys } from '@app/transport';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { TEST_REDIS_URL } from '../support/test-env';
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

/** A host with several agents: AI-004 (capacity 2), QA-001 (4), MED-001 (3). */
const HOSTED = ['AI-004', 'QA-001', 'MED-001'];

describe('agent host with several agents (real registry, PostgreSQL and Redis)', () => {
  let registry: RegistryUnderTest;
  let host: HostUnderTest;
  let prefix: string;
  let results: ResultsReader;
  let sender: TaskSender;
  let redis: Redis;

  beforeAll(async () => {
    await forgetAgents(HOSTED);
    registry = await startRegistry({ HEARTBEAT_INTERVAL_SECONDS: '1', HEARTBEAT_TTL_SECONDS: '3' });
    prefix = uniqueTransportPrefix();
    host = await startHost({
      AGENT_IDS: HOSTED.join(','),
      REGISTRY_URL: registry.baseUrl,
      TRANSPORT_KEY_PREFIX: prefix,
      AGENT_HOST_INSTANCE_ID: `e2e-${randomUUID().slice(0, 8)}`,
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_TTL_SECONDS: '3',
    });
    results = new ResultsReader(prefix);
    sender = new TaskSender(prefix);
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await host?.close();
    await registry?.close();
    await sender?.close();
    await results?.close();
    await redis?.quit();
    await cleanupPrefix(prefix);
    await cleanupRegistryKeys(registry.prefix);
  });

  it('registers every hosted agent with its capabilities, max_tasks and metadata', async () => {
    for (const id of HOSTED) {
      // Wait for this host's registration (an earlier suite may have left the same agent behind).
      const agent = await waitFor(`registration of ${id} by this host`, async () => {
        const res = await registry.call('GET', `/api/agents/${id}`);
        return res.status === 200 && res.body.port === Number(new URL(host.baseUrl).port) ? res.body : undefined;
      });
      expect(agent).toMatchObject({ agent_id: id, status: 'online', port: Number(new URL(host.baseUrl).port) });
    }
    const qa = (await registry.call('GET', '/api/agents/QA-001')).body;
    expect(qa.load.max_tasks).toBe(4);
    expect(qa.capabilities.length).toBeGreaterThan(0);
    expect(qa.capabilities[0]).toEqual(
      expect.objectContaining({ capability: expect.any(String), proficiency_level: expect.any(Number) }),
    );
    expect(qa.metadata).toMatchObject({ output_kind: 'review', host_instance_id: host.config.agentHostInstanceId });
  });

  it('heartbeats keep arriving at the registry', async () => {
    const first = (await registry.call('GET', '/api/agents/MED-001')).body.last_heartbeat as string;
    const later = await waitFor('a newer heartbeat of MED-001', async () => {
      const beat = (await registry.call('GET', '/api/agents/MED-001')).body.last_heartbeat as string;
      return beat && beat !== first ? beat : undefined;
    });
    expect(Date.parse(later)).toBeGreaterThan(Date.parse(first));
  });

  it('answers /health with the hosted agent ids, and is ready', async () => {
    const health = await call(host.baseUrl, 'GET', '/health');
    expect(health.body).toEqual({ status: 'healthy', agent_ids: HOSTED });
    const ready = await call(host.baseUrl, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
  });

  it('executes a task from the stream and reports started then the validated result to the orchestrator', async () => {
    const task = await sender.execute('MED-001', {
      title: 'Cardiology: heart failure MCQ',
      input: { topic: 'Cardiology: heart failure' },
    });
    const result = await results.result(task.task_id);
    expect(results.of(task.task_id, TaskPatterns.Started)).toHaveLength(1);
    expect(result.from_agent).toBe('MED-001');
    expect(result.payload).toMatchObject({
      task_id: task.task_id,
      attempt: 1,
      agent_id: 'MED-001',
      status: 'completed',
      model: 'scripted',
    });
    expect(result.payload.result).toMatchObject({ output_kind: 'mcq_item', model: 'scripted' });
    expect(result.payload.result.output.options.length).toBeGreaterThanOrEqual(4);
    expect(result.payload.usage.output_tokens).toBeGreaterThan(0);
    expect(Date.parse(result.payload.completed_at)).toBeGreaterThanOrEqual(Date.parse(result.payload.started_at));
  });

  it('reports a failed result listing validation errors when the output is invalid', async () => {
    const task = await sender.execute('QA-001', { input: { scripted: { invalid_output: true } } });
    const result = await results.result(task.task_id);
    expect(result.payload.status).toBe('failed');
    expect(result.payload.error).toMatch(/review validation/);
  });

  it('never runs more tasks of an agent at once than its max_concurrent_tasks', async () => {
    const capacity = 2; // AI-004
    const tasks: TaskExecuteMessage[] = [];
    for (let i = 0; i < capacity + 3; i++)
      tasks.push(await sender.execute('AI-004', { input: { scripted: { latency_ms: 300 } } }));
    let maxActive = 0;
    let maxRegistryLoad = 0;
    await waitFor(
      'all AI-004 results',
      async () => {
        const status = await call(host.baseUrl, 'GET', '/status');
        const ai = status.body.agents.find((a: { agent_id: string }) => a.agent_id === 'AI-004');
        maxActive = Math.max(maxActive, ai.active_tasks);
        const load = (await registry.call('GET', '/api/agents/AI-004')).body;
        maxRegistryLoad = Math.max(maxRegistryLoad, load.load.current_tasks);
        await results.poll();
        return tasks.every((t) => results.of(t.task_id, TaskPatterns.Result).length === 1);
      },
      30_000,
    );
    expect(maxActive).toBeGreaterThan(0);
    expect(maxActive).toBeLessThanOrEqual(capacity);
    expect(maxRegistryLoad).toBeLessThanOrEqual(capacity);
    for (const t of tasks) expect(results.of(t.task_id, TaskPatterns.Result)[0].payload.status).toBe('completed');
  });

  it('cancels a running task when the cancel signal arrives', async () => {
    const task = await sender.execute('QA-001', { input: { scripted: { latency_ms: 20_000 } } });
    await waitFor('task.started', async () => {
      await results.poll();
      return results.of(task.task_id, TaskPatterns.Started).length === 1;
    });
    await redis.set(cancelKey(task.task_id), '1', 'EX', 60);
    await redis.publish(CANCEL_CHANNEL, task.task_id);
    const result = await results.result(task.task_id);
    expect(result.payload.status).toBe('canceled');
    await redis.del(cancelKey(task.task_id));
  });

  it('does not run a task canceled before it arrived', async () => {
    const taskId = randomUUID();
    await redis.set(cancelKey(taskId), '1', 'EX', 60);
    await sender.execute('QA-001', { task_id: taskId });
    const result = await results.result(taskId);
    expect(result.payload.status).toBe('canceled');
    expect(results.of(taskId, TaskPatterns.Started)).toHaveLength(0);
    await redis.del(cancelKey(taskId));
  });

  it('fails a task whose deadline passes while it runs', async () => {
    const task = await sender.execute('QA-001', {
      input: { scripted: { latency_ms: 20_000 } },
      deadline: new Date(Date.now() + 700).toISOString(),
    });
    const result = await results.result(task.task_id);
    expect(result.payload.status).toBe('failed');
    expect(result.payload.error).toMatch(/deadline_exceeded/);
  });

  it('dead-letters malformed stream entries and keeps working', async () => {
    const keys = new TransportKeys(prefix);
    // Not JSON at all, then a valid envelope whose task payload lacks the title.
    await redis.xadd(keys.stream('MED-001'), '*', 'envelope', '{not json');
    const badTaskId = randomUUID();
    const bad = createEnvelope({
      from_agent: 'PM-001',
      to_agent: 'MED-001',
      message_type: TaskPatterns.Execute,
      payload: {
        task_id: badTaskId,
        attempt: 1,
        agent_id: 'MED-001',
        input: {},
        deadline: new Date().toISOString(),
      },
    });
    await redis.xadd(keys.stream('MED-001'), '*', 'envelope', JSON.stringify(bad));
    const admin = new TransportAdmin(redis, { keyPrefix: prefix });
    const dead = await waitFor('two dead letters on MED-001', async () => {
      const entries = await admin.listDeadLetters('MED-001');
      return entries.length >= 2 ? entries : undefined;
    });
    expect(dead.map((d) => d.reason).sort()).toEqual(['malformed_json', 'rejected']);
    expect(dead.find((d) => d.reason === 'rejected')?.error).toMatch(/title/);
    // The rejected task is reported failed at once, with the reason, instead of waiting for its deadline.
    const failed = await results.result(badTaskId);
    expect(failed.payload).toMatchObject({ status: 'failed', attempt: 1, agent_id: 'MED-001' });
    expect(failed.payload.error).toMatch(/^dead_lettered \(rejected\).*title/);
    const task = await sender.execute('MED-001');
    expect((await results.result(task.task_id)).payload.status).toBe('completed');
  });

  it('lets an agent consult another agent over the transport while executing', async () => {
    const task = await sender.execute('QA-001', {
      title: 'Review the answer key of a cardiology item',
      input: { consult: { agent_id: 'MED-001', question: 'Is option B the correct answer for first-line therapy?' } },
    });
    const result = await results.result(task.task_id);
    expect(result.payload.status).toBe('completed');
    const status = await call(host.baseUrl, 'GET', '/status');
    const med = status.body.agents.find((a: { agent_id: string }) => a.agent_id === 'MED-001');
    expect(med.messages_received).toBeGreaterThanOrEqual(1);
  });

  it('delivers a broadcast to every hosted agent', async () => {
    const before = (await call(host.baseUrl, 'GET', '/status')).body.agents as {
      agent_id: string;
      messages_received: number;
    }[];
    const message = {
      message_id: randomUUID(),
      from_agent: 'PM-001',
      to_agent: 'ALL',
      message_type: 'announcement',
      payload: { text: 'release freeze' },
      sent_at: new Date().toISOString(),
    };
    await lastValueFrom(sender.client.to('ALL').emit(AgentPatterns.Message, message));
    await waitFor('every agent received the broadcast', async () => {
      const after = (await call(host.baseUrl, 'GET', '/status')).body.agents as {
        agent_id: string;
        messages_received: number;
      }[];
      return after.every((a) => a.messages_received > before.find((b) => b.agent_id === a.agent_id)!.messages_received);
    });
  });

  it('runs HTTP tasks on a named agent, and rejects bad requests naming the problem', async () => {
    const ok = await call(host.baseUrl, 'POST', '/agents/AI-004/task', {
      title: 'Design an embedding pipeline',
      description: 'for guidelines',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      agent_id: 'AI-004',
      status: 'completed',
      result: { model: 'scripted', output_kind: 'design_doc' },
    });

    const several = await call(host.baseUrl, 'POST', '/task', { title: 'x' });
    expect(several.status).toBe(400);
    expect(several.body.message).toMatch(/POST \/agents\/\{agent_id\}\/task/);

    const notHosted = await call(host.baseUrl, 'POST', '/agents/DEV-001/task', { title: 'x' });
    expect(notHosted.status).toBe(404);
    expect(notHosted.body.code).toBe('AGENT_NOT_HOSTED');

    const noTitle = await call(host.baseUrl, 'POST', '/agents/AI-004/task', { description: 'no title' });
    expect(noTitle.status).toBe(400);
    expect(noTitle.body.errors.map((e: { field: string }) => e.field)).toContain('title');

    const badInput = await call(host.baseUrl, 'POST', '/agents/AI-004/task', { title: 'x', input: 'not an object' });
    expect(badInput.status).toBe(400);
    expect(badInput.body.message).toMatch(/input/);
  });

  it('shows the seed metrics with agent labels on /metrics after tasks ran', async () => {
    const text = (await call(host.baseUrl, 'GET', '/metrics')).text;
    const line = (name: string, labels: Record<string, string>) =>
      text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    const value = (l: string | undefined) => Number(l?.split(' ').pop());

    expect(value(line('agent_tasks_total', { agent_id: 'AI-004', status: 'completed' }))).toBeGreaterThanOrEqual(5);
    expect(value(line('agent_tasks_total', { agent_id: 'QA-001', status: 'canceled' }))).toBeGreaterThanOrEqual(1);
    expect(value(line('agent_tasks_total', { agent_id: 'QA-001', status: 'failed' }))).toBeGreaterThanOrEqual(2);
    expect(value(line('agent_task_duration_seconds_count', { agent_id: 'AI-004' }))).toBeGreaterThanOrEqual(5);
    expect(line('agent_active_tasks', { agent_id: 'MED-001' })).toBeDefined();
    expect(value(line('agent_errors_total', { agent_id: 'QA-001', error_type: 'validation' }))).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      value(line('agent_errors_total', { agent_id: 'QA-001', error_type: 'deadline_exceeded' })),
    ).toBeGreaterThanOrEqual(1);
    expect(value(line('agent_model_tokens_total', { agent_id: 'MED-001', direction: 'output' }))).toBeGreaterThan(0);
    expect(
      value(line('agent_model_call_duration_seconds_count', { agent_id: 'MED-001', provider: 'scripted' })),
    ).toBeGreaterThan(0);
  });
});
