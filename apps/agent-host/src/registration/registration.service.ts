import { KeyedSerializer } from '@app/edge';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { backoffDelay, RetryBackoff } from '@app/transport';
import { HostedAgents } from '../hosting/hosted-agents';
import { AgentStateService } from '../state/agent-state.service';
import { RegistryClient, RegistryHttpError } from '@app/contracts';
import { RegistrationBody } from './registry-client.provider';

const REGISTER_BACKOFF: RetryBackoff = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: true };

type Phase = 'unregistered' | 'registering' | 'registered';

/**
 * Keeps every hosted agent known to the registry: registers (retrying until the registry answers), heartbeats with
 * the agent's load, reports load as tasks start and finish, re-registers when the registry forgot the agent, and
 * marks the agents offline at the end of a graceful shutdown.
 */
@Injectable()
export class RegistrationService {
  private readonly log = new Logger(RegistrationService.name);
  private readonly phase = new Map<string, Phase>();
  /** Load reports of one agent go out in order, so the registry never ends on a stale count. */
  private readonly loadChain = new KeyedSerializer();
  private heartbeatTimer?: NodeJS.Timeout;
  private port = 0;
  private stopped = false;
  private lastWarnAt = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryClient,
    private readonly agents: HostedAgents,
    private readonly state: AgentStateService,
  ) {}

  /** Starts registration in the background (start-up never waits for a late registry) and the heartbeat timer. */
  start(port: number): void {
    this.port = port;
    this.stopped = false;
    for (const id of this.agents.ids()) void this.registerUntilDone(id);
    this.heartbeatTimer = setInterval(() => void this.heartbeatAll(), this.config.heartbeatIntervalSeconds * 1000);
    this.heartbeatTimer.unref();
  }

  isRegistered(agentId: string): boolean {
    return this.phase.get(agentId) === 'registered';
  }

  /** Reports the agent's load now (task start: no duration; task end: its duration in seconds). */
  reportLoad(agentId: string, taskDurationSec?: number): void {
    if (!this.isRegistered(agentId)) return; // the next registration/heartbeat carries the load
    const body = {
      ...this.agents.load(agentId),
      ...(taskDurationSec === undefined ? {} : { task_duration_sec: taskDurationSec }),
    };
    void this.loadChain
      .run(agentId, () => this.registry.reportLoad(agentId, body))
      .catch((err: unknown) => this.onRegistryError(agentId, 'load report', err));
  }

  /** End of a graceful shutdown: no more heartbeats; every registered agent goes offline. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    await this.loadChain.drain();
    const registered = this.agents.ids().filter((id) => this.isRegistered(id));
    const results = await Promise.allSettled(registered.map((id) => this.registry.setStatus(id, 'offline')));
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        this.log.warn(`could not mark ${registered[i]} offline: ${(r.reason as Error).message}`);
    });
    // Count what the registry accepted, not what was attempted.
    const marked = results.filter((r) => r.status === 'fulfilled').length;
    if (marked > 0 || registered.length > 0) {
      const failed = registered.length - marked;
      this.log.log(`marked ${marked} agent(s) offline${failed > 0 ? ` (${failed} failed)` : ''}`);
    }
  }

  private registrationBody(agentId: string): RegistrationBody {
    const def = this.agents.get(agentId).definition;
    return {
      agent_id: def.agent_id,
      name: def.name,
      role: def.role,
      host: this.config.agentHostAdvertiseHost,
      port: this.port,
      metadata: {
        technologies: def.technologies,
        specializations: def.specializations,
        output_kind: def.output_kind,
        experience_years: def.experience_years,
        host_instance_id: this.config.agentHostInstanceId,
      },
      capabilities: def.capabilities.map((c) => ({ capability: c.capability, proficiency_level: c.proficiency_level })),
      max_tasks: def.max_concurrent_tasks,
    };
  }

  private async registerUntilDone(agentId: string): Promise<void> {
    if (this.phase.get(agentId) === 'registering') return;
    this.phase.set(agentId, 'registering');
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await this.registry.register(this.registrationBody(agentId));
        this.phase.set(agentId, 'registered');
        this.log.debug(`registered ${agentId} with the registry${attempt > 1 ? ` after ${attempt} attempts` : ''}`);
        this.logWhenAllRegistered();
        // The new registration carries no load yet; the state row needs the registry row (foreign key).
        await this.registry.heartbeat(agentId, this.agents.load(agentId)).catch(() => undefined);
        await this.state.enable(agentId);
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, REGISTER_BACKOFF);
        this.warnThrottled(
          agentId,
          `registering ${agentId} failed (attempt ${attempt}, next in ${delay} ms): ${(err as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
    this.phase.set(agentId, 'unregistered');
  }

  /** One line for the whole host instead of one per agent (46 with AGENT_IDS=all). */
  private logWhenAllRegistered(): void {
    const ids = this.agents.ids();
    if (ids.every((id) => this.isRegistered(id)))
      this.log.log(`all ${ids.length} agent(s) registered with the registry`);
  }

  private async heartbeatAll(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(
      this.agents.ids().map(async (id) => {
        if (!this.isRegistered(id)) return;
        try {
          await this.registry.heartbeat(id, this.agents.load(id));
        } catch (err) {
          this.onRegistryError(id, 'heartbeat', err);
        }
      }),
    );
  }

  /** A 404 means the registry forgot the agent (deregistered, database reset): register it again. */
  private onRegistryError(agentId: string, what: string, err: unknown): void {
    if (err instanceof RegistryHttpError && err.status === 404 && !this.stopped) {
      this.log.warn(`registry does not know ${agentId} any more (${what} got 404); registering again`);
      this.phase.set(agentId, 'unregistered');
      this.state.disable(agentId);
      void this.registerUntilDone(agentId);
      return;
    }
    this.warnThrottled(agentId, `${what} of ${agentId} failed: ${(err as Error).message}`);
  }

  /** While the registry is down every agent fails every beat; one line per agent every 30 s is enough. */
  private warnThrottled(agentId: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastWarnAt.get(agentId) ?? 0) < 30_000) return;
    this.lastWarnAt.set(agentId, now);
    this.log.warn(message);
  }
}
