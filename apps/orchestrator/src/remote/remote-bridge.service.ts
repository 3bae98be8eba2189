import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { busLimitOptions, DomainException, validateMessage } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { isDatabaseUnavailable } from '@app/persistence';
import { RedisStreamsContext, RedisStreamsServer } from '@app/transport';
import { RemoteAttempts } from './remote-attempt.service';
import { RemoteClients } from './remote-clients';
import { RemoteAgent, RemoteDirectory } from './remote-directory';

interface Consumer {
  agent: RemoteAgent;
  server: RedisStreamsServer;
}

/**
 * Consumes the streams of remote A2A agents (docs/decisions/0102): dispatch does not know an agent
 * is remote — it leases a slot and appends `task.execute` to `ea:{EXT-001}:stream` as for any
 * agent — and the bridge reads that stream in the agents' consumer group (so orchestrator replicas
 * share it and a crashed one's entries are reclaimed), as many at once as the agent has slots, and
 * acknowledges an entry only after its outcome is recorded.
 */
@Injectable()
export class RemoteBridge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(RemoteBridge.name);
  private readonly consumers = new Map<string, Consumer>();
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: RemoteDirectory,
    private readonly attempts: RemoteAttempts,
    private readonly clients: RemoteClients,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.a2a.remote.refreshMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.refreshing;
    await Promise.all([...this.consumers.values()].map((c) => c.server.close().catch(() => undefined)));
    this.consumers.clear();
  }

  /** A remote agent this orchestrator bridges now (as of its last refresh). */
  known(agentId: string): RemoteAgent | undefined {
    return this.consumers.get(agentId)?.agent;
  }

  /** Remote agents this orchestrator consumes now (agent id → slots). */
  consuming(): Record<string, number> {
    return Object.fromEntries([...this.consumers].map(([id, c]) => [id, c.agent.max_tasks]));
  }

  /** Starts consuming newly registered remote agents, restarts changed ones, stops removed ones. */
  refresh(): Promise<void> {
    this.refreshing ??= this.sync()
      .catch((err: unknown) => this.log.warn(`remote agents not refreshed: ${(err as Error).message}`))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async sync(): Promise<void> {
    const agents = await this.directory.list();
    if (this.stopped) return;
    const wanted = new Map(agents.map((a) => [a.agent_id, a]));
    for (const [id, consumer] of this.consumers) {
      const next = wanted.get(id);
      if (next && next.max_tasks === consumer.agent.max_tasks) {
        consumer.agent = next; // endpoint changes apply to the next attempt
        continue;
      }
      this.consumers.delete(id);
      this.clients.forget(id);
      await consumer.server.close().catch(() => undefined);
    }
    for (const agent of agents) if (!this.consumers.has(agent.agent_id)) await this.start(agent);
  }

  private async start(agent: RemoteAgent): Promise<void> {
    const server = new RedisStreamsServer({
      url: this.config.redisUrl,
      keyPrefix: this.config.transportKeyPrefix,
      // A stable name per orchestrator and agent: a restarted bridge re-reads its own pending entries first.
      consumerName: `${this.config.orchestrator.instanceId}-bridge-${agent.agent_id}`,
      addresses: [{ address: agent.agent_id, concurrency: agent.max_tasks }],
      isUnavailable: isDatabaseUnavailable,
      ...busLimitOptions(this.config.limits),
    });
    const consumer: Consumer = { agent, server };
    server.addHandler(
      TaskPatterns.Execute,
      async (payload: unknown, ctx: RedisStreamsContext) => {
        const message = await validateMessage(TaskExecuteMessage, payload, TaskPatterns.Execute);
        // Deliberate rejections (dead-lettered, never retried), as a host does.
        if (message.agent_id !== ctx.getAddress())
          throw new DomainException(
            'invalid',
            'WRONG_AGENT_STREAM',
            `task for ${message.agent_id} arrived on the stream of ${ctx.getAddress()}`,
          );
        await this.attempts.run(consumer.agent, message, ctx.getEntryId());
      },
      false,
    );
    await new Promise<void>((resolve, reject) =>
      server.listen((err?: unknown) =>
        err
          ? reject(
              new Error(`bridge of ${agent.agent_id}: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
            )
          : resolve(),
      ),
    );
    this.consumers.set(agent.agent_id, consumer);
    this.log.log(`bridging ${agent.agent_id} (${agent.max_tasks} slots) to ${agent.remote.endpoint.url}`);
  }
}
