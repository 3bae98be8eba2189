import { TaskState } from '@a2a-js/sdk';
import { Started, startOrchestrator, TestSystem, waitFor } from '../orchestrator/support/system';
import { a2aClient, asTask, data, sendParams, text, userMessage } from './a2a-client';

jest.setTimeout(90_000);

describe('A2A tasks are durable across orchestrator replicas (real PostgreSQL, Redis)', () => {
  const system = new TestSystem();
  let other: Started;

  beforeAll(async () => {
    await system.start({ hosts: ['DEV-002'] });
    other = await startOrchestrator(system.env);
    await system.agentsOnline(['DEV-002']);
  });

  afterAll(async () => {
    await other?.close();
    await system.stop();
  });

  it('a task accepted by one replica that then stops is answered, finished and listed by another', async () => {
    const first = await a2aClient(system.url, 'JSONRPC');
    const started = asTask(
      await first.sendMessage(
        sendParams(
          userMessage([text('Audit the API'), data({ scripted: { latency_ms: 2500 } })], {
            metadata: { agent_id: 'DEV-002' },
          }),
          true,
        ),
      ),
    );
    expect(started.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    // The replica that runs the executor goes away while the agent works.
    await system.orchestrator.close();

    const second = await a2aClient(other.baseUrl, 'HTTP+JSON');
    const done = await waitFor('the other replica to report the task completed', async () => {
      const t = await second.getTask({ tenant: '', id: started.id });
      return t.status?.state === TaskState.TASK_STATE_COMPLETED ? t : undefined;
    });
    expect(done.artifacts).toHaveLength(1);
    expect(done.artifacts[0].name).toBe('design_doc');
    const listed = await second.listTasks({
      tenant: '',
      contextId: started.contextId,
      status: TaskState.TASK_STATE_COMPLETED,
      pageSize: 10,
      pageToken: '',
      statusTimestampAfter: undefined,
      includeArtifacts: true,
    });
    expect(listed.tasks.map((t) => t.id)).toEqual([started.id]);
    expect(listed.tasks[0].artifacts).toHaveLength(1);
  });
});
