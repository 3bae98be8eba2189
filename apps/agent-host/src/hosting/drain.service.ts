import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { LifecycleState } from '@app/observability';
import { RedisStreamsServer } from '@app/transport';
import { RegistrationService } from '../registration/registration.service';
import { AgentStateService } from '../state/agent-state.service';
import { TaskRunner } from '../tasks/task-runner.service';
import { STREAM_SERVER } from './stream-server.provider';

/** Time kept back from SHUTDOWN_GRACE_SECONDS for marking agents offline and closing connections. */
const OFFLINE_RESERVE_MS = 3_000;

/**
 * Graceful shutdown (SIGTERM): stop reading new tasks, let in-flight tasks finish (bounded by the grace period),
 * save state, then mark the agents offline. Runs before Nest closes the transport server and the HTTP listener.
 */
@Injectable()
export class DrainService implements BeforeApplicationShutdown {
  private readonly log = new Logger(DrainService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STREAM_SERVER) private readonly server: RedisStreamsServer,
    private readonly lifecycle: LifecycleState,
    private readonly runner: TaskRunner,
    private readonly state: AgentStateService,
    private readonly registration: RegistrationService,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.lifecycle.startDraining();
    const budgetMs = Math.max(1_000, this.config.shutdownGraceSeconds * 1000 - OFFLINE_RESERVE_MS);
    const inFlight = this.runner.activeCount;
    if (inFlight > 0) this.log.log(`draining: waiting up to ${budgetMs} ms for ${inFlight} task(s)`);
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.all([this.server.drain(), this.runner.idle()]).then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), budgetMs))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      // Unacknowledged entries stay pending and another replica reclaims them after the visibility timeout.
      this.log.warn(
        `grace period over with ${this.runner.activeCount} task(s) still running; leaving them to be redelivered`,
      );
      this.server.abort();
    }
    await this.state.flushAll();
    await this.registration.stop();
  }
}
