// The seed's three example tests (tests/agents/test_base_agent.py), ported to the test kit.
import { AgentTask, createTask, TaskStatus } from '../lifecycle/agent-task';
import { OutputValidationResult } from '../outputs/output-validators';
import { MockAgent } from './mock-agent';

const quiet = {
  logger: { log: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined },
};

describe('seed example tests against the test kit', () => {
  it('test_agent_can_accept_task: capacity is max_concurrent_tasks', () => {
    const agent = new MockAgent('TEST-001', {}, quiet);
    expect(agent.canAcceptTask()).toBe(true);
    for (let i = 0; i < agent.definition.max_concurrent_tasks; i++)
      agent.assignTask(createTask({ title: `Task ${i}`, description: 'Test' }));
    expect(agent.canAcceptTask()).toBe(false);
  });

  it('test_agent_executes_task: canned response by title', async () => {
    const agent = new MockAgent('TEST-001', { 'Test Task': { status: 'success', result: 42 } }, quiet);
    const completed = await agent.runTask(createTask({ title: 'Test Task', description: 'Run test' }));
    expect(completed.status).toBe(TaskStatus.COMPLETED);
    expect((completed.result?.output as { result: number }).result).toBe(42);
    expect(agent.receivedTasks.map((t) => t.title)).toEqual(['Test Task']);
  });

  it('test_agent_validation_failure: a failing validator fails the task with its reason', async () => {
    class FailingAgent extends MockAgent {
      protected override validateOutput(_task: AgentTask, _output: unknown): OutputValidationResult {
        return { valid: false, errors: [{ path: '', message: 'Validation failed' }] };
      }
    }
    const agent = new FailingAgent('TEST-002', {}, quiet);
    const completed = await agent.runTask(createTask({ title: 'Test', description: 'Test' }));
    expect(completed.status).toBe(TaskStatus.FAILED);
    expect(completed.error).toContain('Validation failed');
  });
});

describe('MockAgent', () => {
  it('answers unknown titles with the default success response and can simulate a failure', async () => {
    const agent = new MockAgent('TEST-003', { Boom: new Error('mock failure') }, { ...quiet, maxConcurrentTasks: 1 });
    expect(agent.definition.max_concurrent_tasks).toBe(1);
    const ok = await agent.runTask(createTask({ title: 'Anything' }));
    expect(ok.result).toMatchObject({
      model: 'mock',
      output: { status: 'success', output: { mock: true, task: 'Anything' } },
    });
    const failed = await agent.runTask(createTask({ title: 'Boom' }));
    expect(failed).toMatchObject({ status: 'failed', error: 'mock failure', error_type: 'execution' });
    expect(agent.receivedTasks).toHaveLength(2);
  });
});
