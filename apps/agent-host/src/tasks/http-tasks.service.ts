import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { LifecycleState } from '@app/observability';
import { HostedAgents } from '../hosting/hosted-agents';
import { RunTaskDto } from './dto/run-task.dto';
import { TaskRunner } from './task-runner.service';
import { HostTaskView, toHostTaskView } from './task.view';

/** The seed runner's `POST /task`: run on a hosted agent now and answer with the finished task. */
@Injectable()
export class HttpTasksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agents: HostedAgents,
    private readonly runner: TaskRunner,
    private readonly lifecycle: LifecycleState,
  ) {}

  /** `POST /task` is only unambiguous when this process hosts one agent. */
  runOnSingle(body: RunTaskDto): Promise<HostTaskView> {
    const ids = this.agents.ids();
    if (ids.length !== 1) {
      throw new DomainException(
        'invalid',
        'SEVERAL_AGENTS_HOSTED',
        `this host runs ${ids.length} agents (${ids.join(', ')}); use POST /agents/{agent_id}/task`,
      );
    }
    return this.run(ids[0], body);
  }

  async run(agentId: string, body: RunTaskDto): Promise<HostTaskView> {
    this.agents.get(agentId);
    if (this.lifecycle.draining)
      throw new DomainException('unavailable', 'DRAINING', 'this agent host is shutting down');
    const deadline = new Date(Date.now() + this.config.taskTimeoutSeconds * 1000);
    const finished = await this.runner.run(
      agentId,
      {
        task_id: body.task_id,
        title: body.title,
        description: body.description,
        input: body.input,
        ...(body.budget ? { budget: { ...body.budget } } : {}),
      },
      { deadline },
    );
    return toHostTaskView(agentId, finished);
  }
}
