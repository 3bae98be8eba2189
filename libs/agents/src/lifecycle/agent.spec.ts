import { getAgent } from '../catalog/catalog';
import { McqItemOutput, ReviewOutput } from '../outputs/output-kinds';
import { ModelProvider, ModelRequest, ModelResponse } from '../providers/model-provider';
import { ScriptedProvider } from '../providers/scripted.provider';
import { InMemoryAgentBus } from '../testing/in-memory-bus';
import { createScriptedAgent } from '../testing/scripted-runner';
import { Agent, ExecutionContext, ExecutionOutcome } from './agent';
import { AgentTask, createTask } from './agent-task';
import { AgentAtCapacityError, TaskStateError } from './agent.errors';

const quietLogger = { log: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };

/** Wraps the scripted provider and records every request and the signal it got. */
class RecordingProvider implements ModelProvider {
  readonly name = 'recording';
  readonly calls: { request: ModelRequest; signal?: AbortSignal }[] = [];
  constructor(private readonly inner: ModelProvider = new ScriptedProvider()) {}
  complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
    this.calls.push({ request, signal: options.signal });
    return this.inner.complete(request, options);
  }
}

const agentWith = (id: string, provider: ModelProvider, extra = {}) =>
  new Agent(getAgent(id), provider, { logger: quietLogger, ...extra });

describe('Agent.runTask', () => {
  it('completes a task through the provider, recording model, usage and timestamps', async () => {
    const provider = new RecordingProvider();
    const agent = agentWith('MED-001', provider);
    const task = await agent.runTask(
      createTask({ title: 'Atrial fibrillation anticoagulation', input: { topic: 'Atrial fibrillation' } }),
    );
    expect(task).toMatchObject({ status: 'completed', error: null, error_type: null });
    expect(task.result).toMatchObject({ output_kind: 'mcq_item', model: 'scripted', model_calls: 1 });
    expect((task.result?.output as McqItemOutput).topic).toBe('Atrial fibrillation');
    expect(task.usage.input_tokens).toBeGreaterThan(0);
    expect(task.result?.usage).toEqual(task.usage);
    expect(Date.parse(task.completed_at ?? '')).toBeGreaterThanOrEqual(Date.parse(task.started_at ?? ''));
    const [call] = provider.calls;
    expect(call.request).toMatchObject({
      system: getAgent('MED-001').system_prompt,
      schema_name: 'mcq_item',
      purpose: 'task',
    });
    expect(call.request.messages[0].content).toContain('Task: Atrial fibrillation anticoagulation');
    expect(agent.getStatusReport()).toMatchObject({
      tasks_completed: 1,
      active_tasks: 0,
      status: 'idle',
      usage: task.usage,
    });
  });

  it('repairs invalid JSON once by sending the parse error back', async () => {
    const provider = new RecordingProvider();
    const task = await agentWith('DEV-001', provider).runTask(
      createTask({ title: 'Design the registry', input: { scripted: { invalid_json_once: true } } }),
    );
    expect(task.status).toBe('completed');
    expect(task.result?.model_calls).toBe(2);
    expect(provider.calls.map((c) => c.request.purpose)).toEqual(['task', 'repair']);
    const repair = provider.calls[1].request.messages;
    expect(repair[1]).toEqual({ role: 'assistant', content: '{"this is": not valid JSON' });
    expect(repair[2].content).toMatch(/^Your previous reply was not valid JSON \(/);
  });

  it('fails when the repair attempt is still not JSON', async () => {
    const task = await agentWith('DEV-001', new ScriptedProvider()).runTask(
      createTask({ title: 'x', input: { scripted: { invalid_json: true } } }),
    );
    expect(task).toMatchObject({ status: 'failed', error_type: 'invalid_json', result: null });
    expect(task.error).toMatch(/not valid JSON, even after one repair attempt/);
    expect(task.usage.output_tokens).toBeGreaterThan(0);
  });

  it('fails a task whose output breaks the validator, listing every error', async () => {
    const task = await agentWith('MED-002', new ScriptedProvider()).runTask(
      createTask({ title: 'Asthma', input: { scripted: { invalid_output: true } } }),
    );
    expect(task).toMatchObject({ status: 'failed', error_type: 'validation', result: null });
    expect(task.validation_errors.map((e) => e.path)).toEqual(['options', 'correct_key']);
    expect(task.error).toContain(
      'output failed mcq_item validation (2 error(s)): options: must have 4–5 item(s) (got 3); correct_key: "E" is not one of the option keys',
    );
  });

  it('reports every model call to onModelCall, including failed ones', async () => {
    const events: unknown[] = [];
    const agent = agentWith('DEV-004', new ScriptedProvider(), { onModelCall: (e: unknown) => events.push(e) });
    const ok = await agent.runTask(
      createTask({ title: 'Add endpoint', input: { scripted: { invalid_json_once: true } } }),
    );
    await agent.runTask(createTask({ title: 'Broken', input: { scripted: { fail: 'down' } } }));
    expect(events).toEqual([
      expect.objectContaining({
        agent_id: 'DEV-004',
        task_id: ok.task_id,
        purpose: 'task',
        provider: 'scripted',
        model: 'scripted',
        error_kind: null,
      }),
      expect.objectContaining({ purpose: 'repair', model: 'scripted', error_kind: null }),
      expect.objectContaining({ purpose: 'task', error_kind: 'failed', usage: { input_tokens: 0, output_tokens: 0 } }),
    ]);
    const [first, second] = events as { usage: { input_tokens: number; output_tokens: number } }[];
    expect(first.usage.input_tokens + second.usage.input_tokens).toBe(ok.usage.input_tokens);
  });

  it('fails with the provider error and classifies it', async () => {
    const task = await agentWith('QA-003', new ScriptedProvider()).runTask(
      createTask({ title: 'x', input: { scripted: { fail: 'upstream exploded' } } }),
    );
    expect(task).toMatchObject({
      status: 'failed',
      error: 'scripted failure: upstream exploded',
      error_type: 'model_error',
    });
  });

  it('cancels a running task cooperatively: the provider call is aborted and the task ends canceled', async () => {
    const provider = new RecordingProvider(new ScriptedProvider({ latencyMs: 60_000 }));
    const agent = agentWith('DEVOPS-001', provider);
    const task = createTask({ title: 'Deploy' });
    const running = agent.runTask(task);
    expect(agent.getStatusReport().active_task_ids).toEqual([task.task_id]);
    expect(agent.cancelTask(task.task_id, 'operator asked')).toBe(true);
    const done = await running;
    expect(done).toMatchObject({
      status: 'canceled',
      error: 'canceled: operator asked',
      error_type: 'canceled',
      result: null,
    });
    expect(provider.calls[0].signal?.aborted).toBe(true);
    expect(agent.getStatusReport()).toMatchObject({ active_tasks: 0, tasks_canceled: 1 });
    expect(agent.cancelTask(task.task_id)).toBe(false);
  });

  it('honours an external AbortSignal, including one aborted before the start', async () => {
    const agent = agentWith('DEVOPS-005', new ScriptedProvider({ latencyMs: 60_000 }));
    const controller = new AbortController();
    const running = agent.runTask(createTask({ title: 'Release' }), { signal: controller.signal });
    controller.abort(new Error('deadline passed'));
    expect(await running).toMatchObject({ status: 'canceled', error: 'canceled: deadline passed' });
    const pre = await agent.runTask(createTask({ title: 'Release 2' }), {
      signal: AbortSignal.abort(new Error('shutting down')),
    });
    expect(pre).toMatchObject({ status: 'canceled', error: 'canceled: shutting down' });
  });

  it('respects capacity and refuses to re-run a finished task', async () => {
    const agent = agentWith('DEVOPS-006', new ScriptedProvider()); // max_concurrent_tasks 2
    agent.assignTask(createTask({ title: 'a' }));
    const b = agent.assignTask(createTask({ title: 'b' }));
    expect(agent.canAcceptTask()).toBe(false);
    expect(agent.getStatusReport()).toMatchObject({ status: 'at_capacity', load: 1 });
    await expect(agent.runTask(createTask({ title: 'c' }))).rejects.toThrow(AgentAtCapacityError);
    expect(() => agent.assignTask(b)).toThrow(/already assigned/);
    const done = await agent.runTask(b);
    expect(done.status).toBe('completed');
    expect(agent.canAcceptTask()).toBe(true);
    await expect(agent.runTask(done)).rejects.toThrow(TaskStateError);
  });

  it('wakes a caller waiting for a slot when one frees, one caller per freed slot, and when a task lets go of its own', async () => {
    const agent = agentWith('DEVOPS-006', new ScriptedProvider()); // max_concurrent_tasks 2
    const a = agent.assignTask(createTask({ title: 'a' }));
    const b = agent.assignTask(createTask({ title: 'b' }));
    const woken: string[] = [];
    void agent.whenFree().then(() => woken.push('first'));
    void agent.whenFree().then(() => woken.push('second'));
    void agent.whenFree(a.task_id).then(() => woken.push('a itself'));
    const flush = () => new Promise((r) => setImmediate(r));
    await flush();
    expect(woken).toEqual([]);
    // One slot frees (b): the first waiter only; 'a itself' still waits for a's slot.
    expect(agent.releaseTask(b.task_id)).toBe(true);
    await flush();
    expect(woken).toEqual(['first']);
    agent.releaseTask(a.task_id);
    await flush();
    expect(woken).toEqual(['first', 'second', 'a itself']);
    // Free already: at once. Given up: the promise settles and the waiter is gone.
    await agent.whenFree();
    agent.assignTask(createTask({ title: 'c' }));
    agent.assignTask(createTask({ title: 'd' }));
    const controller = new AbortController();
    const waiting = agent.whenFree(undefined, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    // The waiters live in the agent's slots (AgentSlots) since the agent was split.
    expect((agent as unknown as { slots: { waiters: { size: number } } }).slots.waiters.size).toBe(0);
  });

  it('exports and restores state across a restart, tolerating a damaged row', async () => {
    const agent = agentWith('QA-001', new ScriptedProvider());
    const first = await agent.runTask(createTask({ title: 'Review item 1' }));
    await agent.runTask(createTask({ title: 'Review item 2', input: { scripted: { fail: 'x' } } }));
    agent.setNote('disputed_items', ['MCQ-7']);
    const saved = JSON.parse(JSON.stringify(agent.exportState()));
    expect(saved).toMatchObject({
      version: 1,
      tasks_completed: 1,
      tasks_failed: 1,
      notes: { disputed_items: ['MCQ-7'] },
    });
    expect(saved.recent_task_ids[1]).toBe(first.task_id);

    const restarted = agentWith('QA-001', new ScriptedProvider());
    expect(restarted.restoreState(saved)).toEqual([]);
    expect(restarted.getStatusReport()).toMatchObject({ tasks_completed: 1, tasks_failed: 1, usage: saved.usage });
    expect(restarted.getNote('disputed_items')).toEqual(['MCQ-7']);

    const damaged = agentWith('QA-001', new ScriptedProvider());
    expect(damaged.restoreState({ version: 1, tasks_completed: -3, notes: 'x' })).toEqual([
      'tasks_completed is not a non-negative integer; reset to 0',
      'notes is not an object; reset',
    ]);
    expect(damaged.restoreState('garbage')).toEqual(['stored state is not an object; starting empty']);
  });
});

describe('Agent messaging', () => {
  it('sends, broadcasts and dispatches to registered handlers through the messenger port', async () => {
    const bus = new InMemoryAgentBus();
    const pm = agentWith('PM-001', new ScriptedProvider(), { messenger: bus.messenger });
    const dev = agentWith('DEV-003', new ScriptedProvider(), { messenger: bus.messenger });
    const qa = agentWith('QA-002', new ScriptedProvider(), { messenger: bus.messenger });
    bus.attach(pm, dev, qa);
    const seen: string[] = [];
    dev.onMessage('status_update', (m) => void seen.push(`dev:${m.from_agent}:${String(m.payload.phase)}`));
    qa.onMessage('status_update', (m) => void seen.push(`qa:${m.from_agent}:${m.to_agent}`));

    await pm.sendMessage('DEV-003', 'status_update', { phase: 'design' });
    await pm.broadcast('status_update', { phase: 'all' });
    await bus.drain();
    expect(seen.sort()).toEqual(['dev:PM-001:all', 'dev:PM-001:design', 'qa:PM-001:ALL']);
    expect(bus.log.map((m) => [m.to_agent, m.message_type])).toEqual([
      ['DEV-003', 'status_update'],
      ['ALL', 'status_update'],
    ]);
    expect(dev.getStatusReport().messages_received).toBe(2);
    await expect(pm.sendMessage('DEV-404', 'x')).rejects.toThrow('no agent "DEV-404" on the bus');
  });

  it('lets QA-001 consult MED-001 on a disputed answer key during a review task', async () => {
    const bus = new InMemoryAgentBus();
    const provider = new RecordingProvider();
    const qa = agentWith('QA-001', provider, { messenger: bus.messenger });
    const cardiology = agentWith('MED-001', provider, { messenger: bus.messenger });
    bus.attach(qa, cardiology);
    const task = await qa.runTask(
      createTask({
        title: 'Review MCQ on atrial fibrillation',
        input: {
          item_id: 'MCQ-7',
          consult: {
            agent_id: 'MED-001',
            question: 'Is apixaban (B) or warfarin (C) the best key for non-valvular AF with CKD stage 3?',
          },
          scripted: { verdict: 'revise' },
        },
      }),
    );
    expect(task.status).toBe('completed');
    expect((task.result?.output as ReviewOutput).verdict).toBe('revise');
    expect(provider.calls.map((c) => `${c.request.agent.agent_id}:${c.request.purpose}`)).toEqual([
      'MED-001:consult',
      'QA-001:task',
    ]);
    expect(provider.calls[0].request.schema_name).toBe('consultation');
    const prompt = provider.calls[1].request.messages[0].content;
    expect(prompt).toContain('You consulted MED-001: "Is apixaban (B)');
    expect(prompt).toContain('Cardiology Expert (MED-001)');
    expect(prompt).not.toContain('scripted');
    expect(bus.log[0]).toMatchObject({
      from_agent: 'QA-001',
      to_agent: 'MED-001',
      message_type: 'consult',
      expects_reply: true,
    });
  });

  it('answers ask() directly, and fails clearly when the other agent does not answer in time', async () => {
    const bus = new InMemoryAgentBus();
    const qa = agentWith('QA-001', new ScriptedProvider(), { messenger: bus.messenger, askTimeoutMs: 100 });
    const slow = agentWith('MED-003', new ScriptedProvider(), { messenger: bus.messenger });
    bus.attach(qa, slow);
    slow.onMessage('consult', () => new Promise(() => undefined)); // never answers
    await expect(qa.ask('MED-003', 'Is the FENa below 1%?', { timeoutMs: 50 })).rejects.toThrow(
      'QA-001 asked MED-003 (consult) and got no answer within 50 ms',
    );

    const task = await qa.runTask(
      createTask({ title: 'Review', input: { consult: [{ agent_id: 'MED-003', question: 'FENa?' }] } }),
    );
    expect(task).toMatchObject({ status: 'failed', error_type: 'consultation' });
    expect(task.error).toBe('QA-001 asked MED-003 (consult) and got no answer within 100 ms');
  });

  it('fails a consultation that names an agent nobody hosts, or without a messenger', async () => {
    const bus = new InMemoryAgentBus();
    const qa = agentWith('QA-001', new ScriptedProvider(), { messenger: bus.messenger, askTimeoutMs: 1000 });
    bus.attach(qa);
    const task = await qa.runTask(
      createTask({ title: 'Review', input: { consult: { agent_id: 'MED-099', question: 'q?' } } }),
    );
    expect(task).toMatchObject({
      status: 'failed',
      error_type: 'consultation',
      error: 'QA-001 could not consult MED-099: no agent "MED-099" on the bus',
    });
    const lonely = createScriptedAgent('QA-001', { logger: quietLogger });
    await expect(lonely.ask('MED-001', 'q?')).rejects.toThrow('agent QA-001 has no messenger: cannot consult MED-001');
  });
});

describe('consultations per task (AGENT_MAX_CONSULTATIONS_PER_TASK)', () => {
  const consult = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ agent_id: 'MED-001', question: `Question ${i + 1}?` }));

  it('asks up to the limit, and refuses a task asking for more before consulting anyone', async () => {
    const bus = new InMemoryAgentBus();
    const provider = new RecordingProvider();
    const qa = agentWith('QA-001', provider, { messenger: bus.messenger, maxConsultationsPerTask: 3 });
    bus.attach(qa, agentWith('MED-001', provider, { messenger: bus.messenger }));

    const within = await qa.runTask(createTask({ title: 'Review', input: { consult: consult(3) } }));
    expect(within.status).toBe('completed');
    expect(bus.log).toHaveLength(3);

    const over = await qa.runTask(createTask({ title: 'Review', input: { consult: consult(4) } }));
    expect(over).toMatchObject({
      status: 'failed',
      error_type: 'consultation',
      error: 'input.consult: 4 consultations asked; at most 3 per task (AGENT_MAX_CONSULTATIONS_PER_TASK)',
    });
    expect(bus.log).toHaveLength(3); // nobody was asked for the refused task
    expect(qa.getStatusReport()).toMatchObject({ tasks_completed: 1, tasks_failed: 1, active_tasks: 0 });
  });

  it('stops an agent that keeps consulting in a loop: the task fails saying so, the agent takes the next one', async () => {
    /** An agent whose own code (or a model driving it) asks again and again. */
    class Looping extends Agent {
      protected override async execute(_task: AgentTask, ctx: ExecutionContext): Promise<ExecutionOutcome> {
        for (;;) await ctx.ask('MED-001', 'And now?');
      }
    }
    const bus = new InMemoryAgentBus();
    const provider = new RecordingProvider();
    const looping = new Looping(getAgent('QA-001'), provider, { logger: quietLogger, messenger: bus.messenger });
    bus.attach(looping, agentWith('MED-001', provider, { messenger: bus.messenger }));
    expect(looping.maxConsultationsPerTask).toBe(10); // the default

    const task = await looping.runTask(createTask({ title: 'Review' }));
    expect(task).toMatchObject({
      status: 'failed',
      error_type: 'consultation',
      error: `QA-001 refused a consultation for task ${task.task_id}: at most 10 per task (AGENT_MAX_CONSULTATIONS_PER_TASK)`,
    });
    expect(bus.log).toHaveLength(10);
    // The count is per task: the next one may consult again.
    const next = await looping.runTask(createTask({ title: 'Review again' }));
    expect(next.status).toBe('failed');
    expect(bus.log).toHaveLength(20);
    expect(looping.activeTaskCount).toBe(0);
  });

  it('with a limit of 0 a task may not consult at all', async () => {
    const bus = new InMemoryAgentBus();
    const qa = agentWith('QA-001', new ScriptedProvider(), { messenger: bus.messenger, maxConsultationsPerTask: 0 });
    bus.attach(qa);
    const task = await qa.runTask(createTask({ title: 'Review', input: { consult: consult(1) } }));
    expect(task).toMatchObject({ status: 'failed', error_type: 'consultation' });
    expect(task.error).toMatch(/^input\.consult: 1 consultations asked; at most 0 per task/);
    const plain = await qa.runTask(createTask({ title: 'Review' }));
    expect(plain.status).toBe('completed');
  });
});
