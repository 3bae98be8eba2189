import { AGENT_CATALOG, getAgent } from '../catalog/catalog';
import { createTask } from '../lifecycle/agent-task';
import { McqItemOutput, PlanOutput, ReviewOutput } from '../outputs/output-kinds';
import { validateOutput } from '../outputs/output-validators';
import { createModelProvider } from '../providers/create-model-provider';
import { ScriptedProvider } from '../providers/scripted.provider';
import { scriptedOutput } from '../providers/scripted-outputs';
import { runWithScriptedProvider } from './scripted-runner';

const quiet = {
  logger: { log: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined },
};

describe('runWithScriptedProvider', () => {
  it('runs every catalog agent to a completed, validated, scripted result', async () => {
    for (const agent of AGENT_CATALOG) {
      const task = await runWithScriptedProvider(
        agent.agent_id,
        { title: `Smoke task for ${agent.agent_id}`, description: 'Brief' },
        quiet,
      );
      expect({ id: agent.agent_id, status: task.status, error: task.error, model: task.result?.model }).toEqual({
        id: agent.agent_id,
        status: 'completed',
        error: null,
        model: 'scripted',
      });
    }
  });

  it('plans one MCQ task per topic for PM-001, routed to the matching specialty', async () => {
    const task = await runWithScriptedProvider(
      'PM-001',
      { title: 'Question bank', input: { topics: ['Cardiology: heart failure', 'Asthma', 'Tax law'] } },
      quiet,
    );
    const plan = task.result?.output as PlanOutput;
    expect(plan.tasks.map((t) => [t.id, t.capability, t.depends_on])).toEqual([
      ['t1', 'cardiology', []],
      ['t2', 'pulmonology', []],
      ['t3', 'mcq_authoring', []],
    ]);
    expect(plan.tasks.map((t) => t.topic)).toEqual(['Cardiology: heart failure', 'Asthma', 'Tax law']);
  });

  it('plans a small DAG across roles from a project brief', async () => {
    const task = await runWithScriptedProvider(
      'PM-001',
      { title: 'Patient portal', description: 'Build a portal for lab results' },
      quiet,
    );
    const plan = task.result?.output as PlanOutput;
    expect(plan.tasks.map((t) => t.capability)).toEqual([
      'system_design',
      'code_implementation',
      'test_planning',
      'code_review',
      'deployment_planning',
    ]);
    expect(plan.tasks.find((t) => t.id === 'deploy')?.depends_on).toEqual(['test', 'review']);
  });

  it('follows a verdict sequence by revision number, then by attempt', async () => {
    const verdict = async (input: Record<string, unknown>, attempt = 1) =>
      (
        (
          await runWithScriptedProvider(
            'QA-001',
            { title: 'Review', input, attempt, scripted: { verdict_sequence: ['revise', 'revise', 'approve'] } },
            quiet,
          )
        ).result?.output as ReviewOutput
      ).verdict;
    expect(await verdict({ revision: 0 })).toBe('revise');
    expect(await verdict({ revision: 2 })).toBe('approve');
    expect(await verdict({ revision: 9 })).toBe('approve');
    expect(await verdict({}, 3)).toBe('approve');
    expect(await verdict({}, 1)).toBe('revise');
  });

  it('is deterministic for the same agent and task, and varies with the task', () => {
    const med = getAgent('MED-001');
    const a = scriptedOutput(med, createTask({ title: 'Heart failure', task_id: 'x' })) as McqItemOutput;
    const b = scriptedOutput(med, createTask({ title: 'Heart failure', task_id: 'y' })) as McqItemOutput;
    expect(a).toEqual(b);
    const outputs = ['Syncope', 'Endocarditis', 'Pericarditis', 'Aortic stenosis', 'Myocarditis', 'Angina'].map(
      (t) => scriptedOutput(med, createTask({ title: t })) as McqItemOutput,
    );
    expect(new Set(outputs.map((o) => `${o.options.length}${o.correct_key}`)).size).toBeGreaterThan(1);
    for (const o of outputs) expect(validateOutput('mcq_item', o).errors).toEqual([]);
  });

  it('honours an aborted signal during scripted latency', async () => {
    const provider = new ScriptedProvider({ latencyMs: 60_000 });
    const request = {
      system: 's',
      messages: [],
      schema_name: 'mcq_item',
      schema: {},
      purpose: 'task' as const,
      agent: getAgent('MED-001'),
    };
    await expect(provider.complete(request, { signal: AbortSignal.timeout(10) })).rejects.toThrow(
      'scripted model call was aborted',
    );
  });
});

describe('createModelProvider', () => {
  const base = {
    providerDefaulted: true,
    name: 'scripted',
    timeoutMs: 1000,
    maxRetries: 0,
    maxOutputTokens: 100,
    scriptedLatencyMs: 0,
  };

  it('warns that the scripted provider is the default', () => {
    const lines: string[] = [];
    const provider = createModelProvider(
      { ...base, provider: 'scripted' },
      { log: (m: string) => lines.push(`log ${m}`), warn: (m: string) => lines.push(`warn ${m}`) },
    );
    expect(provider.name).toBe('scripted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warn model provider: scripted \(the default: MODEL_PROVIDER is not set\) — deterministic offline outputs marked model "scripted", not a real model/,
    );
  });

  it('builds the openai and anthropic providers from config', () => {
    const logger = { log: () => undefined, warn: () => undefined };
    expect(
      createModelProvider({ ...base, provider: 'openai', name: 'gpt', baseUrl: 'http://127.0.0.1:1/v1' }, logger).name,
    ).toBe('openai');
    expect(createModelProvider({ ...base, provider: 'anthropic', name: 'claude', apiKey: 'k' }, logger).name).toBe(
      'anthropic',
    );
    expect(() => createModelProvider({ ...base, provider: 'anthropic', name: 'claude' }, logger)).toThrow(
      /ANTHROPIC_API_KEY/,
    );
  });
});
