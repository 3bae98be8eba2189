import { randomBytes, randomUUID } from 'node:crypto';
import { AGENT_CATALOG } from '@app/agents';
import { cleanupRegistryKeys } from '../registry/registry-test-app';
import { ChildApp, freePort, systemEnv, waitFor } from '../orchestrator/support/system';
import { call, Json } from '../support/http-client';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { OtlpReceiver, ReceivedSpan } from './otlp-receiver';

jest.setTimeout(240_000);

/**
 * Every app as its own process (registry, orchestrator, two agent hosts), exporting to an OTLP/HTTP receiver in
 * this test: one workflow run must come back as one connected trace, its parent links crossing the processes.
 */
describe('OpenTelemetry traces across the apps (OTLP/HTTP export to a receiver in the test)', () => {
  const receiver = new OtlpReceiver();
  const children: ChildApp[] = [];
  const transportPrefix = uniqueRedisPrefix('trace').replace(/:$/, '');
  const registryPrefix = uniqueRedisPrefix('trace-reg');
  let orchestratorUrl = '';

  const child = (entry: string, env: Record<string, string>) => {
    const app = new ChildApp(entry, env);
    children.push(app);
    app.start();
    return app;
  };

  beforeAll(async () => {
    const otlp = await receiver.start();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const registryPort = await freePort();
    const registryUrl = `http://127.0.0.1:${registryPort}`;
    const env = { ...systemEnv(registryUrl, transportPrefix), ...otel };
    child('apps/registry/src/main.ts', {
      ...otel,
      OTEL_SERVICE_NAME: 'registry',
      REGISTRY_PORT: String(registryPort),
      REGISTRY_REDIS_PREFIX: registryPrefix,
      LIVENESS_SWEEP_SECONDS: '1',
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_TTL_SECONDS: '3',
      HEARTBEAT_GRACE_SECONDS: '0',
    });
    const orchestratorPort = await freePort();
    orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
    child('apps/orchestrator/src/main.ts', {
      ...env,
      OTEL_SERVICE_NAME: 'orchestrator',
      ORCHESTRATOR_PORT: String(orchestratorPort),
      ORCHESTRATOR_INSTANCE_ID: `orch-${randomUUID().slice(0, 8)}`,
    });
    // QA-001 alone on host B: reviews and consultations cross from host A to host B.
    const hostA = AGENT_CATALOG.filter((a) => a.agent_id !== 'QA-001').map((a) => a.agent_id);
    for (const [name, ids] of [
      ['agent-host-a', hostA.join(',')],
      ['agent-host-b', 'QA-001'],
    ]) {
      child('apps/agent-host/src/main.ts', {
        ...env,
        OTEL_SERVICE_NAME: name,
        AGENT_IDS: ids,
        AGENT_HOST_PORT: String(await freePort()),
        AGENT_HOST_INSTANCE_ID: `${name}-${randomUUID().slice(0, 6)}`,
      });
    }
    await waitFor(
      'orchestrator ready',
      async () => (await call(orchestratorUrl, 'GET', '/health/ready')).status === 200,
      120_000,
    );
    await waitFor(
      'PM-001, MED-001, DEV-001 and QA-001 online',
      async () => {
        const r = await call(registryUrl, 'GET', '/api/agents?status=online&limit=100');
        const online = new Set((r.body.agents ?? []).map((a: Json) => a.agent_id));
        return ['PM-001', 'MED-001', 'DEV-001', 'QA-001'].every((id) => online.has(id));
      },
      120_000,
    );
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await receiver.stop();
    await cleanupRegistryKeys(registryPrefix);
    await deleteRedisKeys(transportPrefix);
  });

  const byName = (spans: ReceivedSpan[], name: string, service?: string) =>
    spans.filter((s) => s.name === name && (service === undefined || s.service === service));
  const one = (spans: ReceivedSpan[], name: string, service?: string) => {
    const found = byName(spans, name, service);
    if (found.length === 0)
      throw new Error(
        `no span "${name}"${service ? ` from ${service}` : ''}; got ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`,
      );
    return found[0];
  };
  const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
    spans.filter((s) => s.parentSpanId === parent.spanId);

  it('a workflow run is one trace: HTTP → run → steps → dispatch → host → model call → result, parents across processes', async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const response = await fetch(`${orchestratorUrl}/api/workflows/mcq_generation/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${clientSpanId}-01` },
      body: JSON.stringify({ input: { topics: ['Cardiology: atrial fibrillation'] } }),
    });
    expect(response.status).toBe(202);
    const { run_id: runId } = (await response.json()) as Json;
    await waitFor(
      `run ${runId} completed`,
      async () => (await call(orchestratorUrl, 'GET', `/api/workflows/runs/${runId}`)).body.status === 'completed',
      120_000,
    );

    // Export is batched (100 ms here): wait for the review's result and the run's end to arrive.
    const spans = await waitFor(
      'the run span and the review result in the trace',
      () => {
        const t = receiver.trace(traceId);
        const done =
          byName(t, 'workflow.run mcq_generation').length === 1 &&
          byName(t, 'task.execute process', 'agent-host-b').length >= 1 &&
          t.filter((s) => s.name === 'task.result process').length >= 3;
        return done ? t : undefined;
      },
      30_000,
    );

    // Connected: every span's parent is in the trace, except the root, whose parent is the caller's span.
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    expect(roots.map((s) => [s.service, s.name, s.parentSpanId])).toEqual([
      ['orchestrator', 'POST /api/workflows/:name/runs', clientSpanId],
    ]);
    const parentOf = (s: ReceivedSpan) => spans.find((p) => p.spanId === s.parentSpanId)!;

    const http = roots[0];
    const run = one(spans, 'workflow.run mcq_generation', 'orchestrator');
    expect(run.parentSpanId).toBe(http.spanId);
    const plan = one(spans, 'workflow.step plan#1', 'orchestrator');
    expect(plan.parentSpanId).toBe(run.spanId);
    expect(spans.filter((s) => s.name.startsWith('workflow.step ') && s.parentSpanId !== run.spanId)).toEqual([]);
    // plan, one draft per topic, its review, collect: each a step span below the run.
    expect(spans.filter((s) => s.name.startsWith('workflow.step ')).length).toBeGreaterThanOrEqual(3);

    // The plan step, hop by hop: dispatch (orchestrator) → consume + agent + model call (host A) → result (orchestrator).
    const dispatch = childrenOf(spans, plan).find((s) => s.name === 'task.dispatch')!;
    expect(dispatch).toMatchObject({ service: 'orchestrator', kind: 4 /* PRODUCER */ });
    const execute = childrenOf(spans, dispatch).find((s) => s.name === 'task.execute process')!;
    expect(execute).toMatchObject({ service: 'agent-host-a', kind: 5 /* CONSUMER */ });
    const agent = childrenOf(spans, execute).find((s) => s.name === 'invoke_agent PM-001')!;
    expect(agent.service).toBe('agent-host-a');
    const model = childrenOf(spans, agent).find((s) => s.name === 'chat scripted')!;
    expect(model).toMatchObject({ service: 'agent-host-a', kind: 3 /* CLIENT */ });
    expect(model.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'scripted',
      'gen_ai.request.model': 'scripted',
      'gen_ai.response.model': 'scripted',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(model.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(model.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    // Prompts and outputs stay off the spans unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
    expect(spans.some((s) => 'gen_ai.input.messages' in s.attributes || 'gen_ai.output.messages' in s.attributes)).toBe(
      false,
    );
    const result = byName(spans, 'task.result process', 'orchestrator').find((s) => parentOf(s) === execute);
    expect(result).toBeDefined();

    // The review ran on host B, below its own step; every model call sits below an agent invocation.
    const review = one(spans, 'task.execute process', 'agent-host-b');
    expect(parentOf(parentOf(review)).name).toMatch(/^workflow\.step .*review#1$/);
    for (const call of byName(spans, 'chat scripted')) expect(parentOf(call).name).toMatch(/^invoke_agent /);

    // Load reports from the hosts carry the trace into the registry.
    expect(spans.some((s) => s.service === 'registry' && parentOf(s).service.startsWith('agent-host'))).toBe(true);

    // The API shows the trace id of each of the run's tasks.
    const tasks = (await call(orchestratorUrl, 'GET', `/api/tasks?workflow_run_id=${runId}&limit=100`)).body
      .tasks as Json[];
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const t of tasks)
      expect((await call(orchestratorUrl, 'GET', `/api/tasks/${t.task_id}`)).body.trace_id).toBe(traceId);
  });

  it('a consultation continues the task trace on the consulted agent’s host', async () => {
    const submitted = await call(orchestratorUrl, 'POST', '/api/tasks', {
      title: 'Design the test strategy',
      agent_id: 'DEV-001',
      input: { consult: { agent_id: 'QA-001', question: 'Which risks should the tests cover first?' } },
    });
    expect(submitted.status).toBe(202);
    const taskId = submitted.body.task_id as string;
    const task = await waitFor(
      `task ${taskId} completed`,
      async () => {
        const r = await call(orchestratorUrl, 'GET', `/api/tasks/${taskId}`);
        return r.body.status === 'completed' ? r.body : undefined;
      },
      60_000,
    );
    expect(task.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const spans = await waitFor(
      'the consultation spans',
      () => {
        const t = receiver.trace(task.trace_id);
        return byName(t, 'agent.ask process', 'agent-host-b').length === 1 &&
          byName(t, 'invoke_agent DEV-001', 'agent-host-a').length === 1 &&
          byName(t, 'task.result process').length === 1
          ? t
          : undefined;
      },
      30_000,
    );
    const parentOf = (s: ReceivedSpan) => spans.find((p) => p.spanId === s.parentSpanId);
    const ask = one(spans, 'agent.ask consult', 'agent-host-a');
    expect(ask.kind).toBe(4);
    expect(parentOf(ask)?.name).toBe('invoke_agent DEV-001');
    const answered = one(spans, 'agent.ask process', 'agent-host-b');
    expect(answered.parentSpanId).toBe(ask.spanId);
    expect(
      childrenOf(spans, answered).some(
        (s) => s.name === 'chat scripted' && s.attributes['expert_agents.model_call.purpose'] === 'consult',
      ),
    ).toBe(true);
    expect(one(spans, 'POST /api/tasks', 'orchestrator').parentSpanId).toBeUndefined();
  });
});
