import type { AgentDefinition } from '../catalog/catalog.types';
import { Agent, AgentOptions, ExecutionContext, ExecutionOutcome } from '../lifecycle/agent';
import type { AgentTask } from '../lifecycle/agent-task';
import type { OutputValidationResult } from '../outputs/output-validators';
import { ScriptedProvider } from '../providers/scripted.provider';

/** A canned response, or an Error to make the task fail with it. */
export type MockResponse = unknown;

export interface MockAgentOptions extends AgentOptions {
  maxConcurrentTasks?: number;
  /** Overrides of the generated definition (role, capabilities, ...). */
  definition?: Partial<AgentDefinition>;
}

/**
 * The seed's MockAgent: answers from canned responses keyed by task title (or a default
 * `{status: 'success', output: {mock: true, task: title}}`), records every task it receives,
 * and accepts any output. No model is called; results say `model: "mock"`.
 */
export class MockAgent extends Agent {
  readonly receivedTasks: AgentTask[] = [];

  constructor(
    agentId: string,
    private readonly responses: Record<string, MockResponse> = {},
    options: MockAgentOptions = {},
  ) {
    super(
      {
        agent_id: agentId,
        name: `Mock Agent ${agentId}`,
        role: 'backend_dev',
        experience_years: 10,
        technologies: ['Mock'],
        specializations: ['Testing'],
        pros: ['Fast', 'Predictable'],
        cons: ['Not real'],
        max_concurrent_tasks: options.maxConcurrentTasks ?? 3,
        capabilities: [],
        output_kind: 'code_change',
        system_prompt: `Mock agent ${agentId} for tests.`,
        ...options.definition,
      },
      new ScriptedProvider(),
      options,
    );
  }

  protected override execute(task: AgentTask, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    this.receivedTasks.push(task);
    ctx.signal.throwIfAborted();
    const response = Object.prototype.hasOwnProperty.call(this.responses, task.title)
      ? this.responses[task.title]
      : { status: 'success', output: { mock: true, task: task.title } };
    if (response instanceof Error) return Promise.reject(response);
    return Promise.resolve({ output: structuredClone(response), model: 'mock', model_calls: 0 });
  }

  protected override validateOutput(_task: AgentTask, _output: unknown): OutputValidationResult {
    return { valid: true, errors: [] };
  }
}
