import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';
import { slotCapacityKey } from '@app/contracts';
import { REDIS_CLIENT } from '@app/persistence';
import { HostedAgents } from '../hosting/hosted-agents';

/** HSET field = `<max>:<expiry ms on Redis's clock>` (the format slotCapacityKey documents). */
const REPORT_SCRIPT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + ttl))
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

type Scripted = Redis & { eaReportSlots(key: string, host: string, max: number, ttlMs: number): Promise<number> };

/**
 * Tells the orchestrators' slot leasing how many slots this host offers for each agent it runs
 * (docs/decisions/0080): an agent replicated on several hosts gets the sum. A report lives one
 * heartbeat TTL, so a host that died stops counting by itself; a draining host withdraws at once.
 */
@Injectable()
export class SlotCapacityReporter implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger(SlotCapacityReporter.name);
  private readonly redis: Scripted;
  private timer?: NodeJS.Timeout;
  private lastWarn = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly agents: HostedAgents,
  ) {
    if (!('eaReportSlots' in redis)) redis.defineCommand('eaReportSlots', { numberOfKeys: 1, lua: REPORT_SCRIPT });
    this.redis = redis as Scripted;
  }

  onApplicationBootstrap(): void {
    void this.reportAll();
    this.timer = setInterval(() => void this.reportAll(), this.config.heartbeatIntervalSeconds * 1000);
    this.timer.unref();
  }

  /** Draining: no new work should be leased to this host. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const host = this.config.agentHostInstanceId;
    await Promise.all(this.agents.ids().map((id) => this.redis.hdel(this.key(id), host).catch(() => undefined)));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private key(agentId: string): string {
    return slotCapacityKey(this.config.transportKeyPrefix, agentId);
  }

  private async reportAll(): Promise<void> {
    const ttlMs = this.config.heartbeatTtlSeconds * 1000;
    try {
      await Promise.all(
        this.agents
          .ids()
          .map((id) =>
            this.redis.eaReportSlots(
              this.key(id),
              this.config.agentHostInstanceId,
              this.agents.load(id).max_tasks,
              ttlMs,
            ),
          ),
      );
    } catch (error) {
      if (Date.now() - this.lastWarn > 10_000) {
        this.lastWarn = Date.now();
        this.log.warn(`slot capacity report failed: ${(error as Error).message}`);
      }
    }
  }
}
