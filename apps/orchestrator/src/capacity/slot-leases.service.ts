import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';
import { slotCapacityKey, slotLeasesKey } from '@app/contracts';
import { REDIS_CLIENT } from '@app/persistence';
import { ACQUIRE_SCRIPT, EXTEND_SCRIPT } from './slot-lease-scripts';

export interface LeaseAnswer {
  granted: boolean;
  /** Leases the agent holds after the call (all replicas). */
  used: number;
  /** Slots the agent offers: the hosts' reports added up, else the registry's max_tasks. */
  capacity: number;
}

type Scripted = Redis & {
  eaSlotAcquire(leases: string, capacity: string, id: string, ttlMs: number, fallback: number): Promise<number[]>;
  eaSlotExtend(leases: string, id: string, ttlMs: number): Promise<number>;
};

/** One lease per dispatched attempt (`<task_id>:<attempt>`), held in Redis until the attempt ends or expires. */
export const leaseId = (taskId: string, attempt: number): string => `${taskId}:${attempt}`;

/**
 * Slot leases of agents (docs/decisions/0080): an attempt goes to an agent's stream only with a
 * lease; a lease ends with the attempt (result, cancel, deadline) or, if its orchestrator crashed,
 * expires on its own shortly after the attempt's deadline.
 */
@Injectable()
export class SlotLeases {
  private readonly redis: Scripted;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REDIS_CLIENT) redis: Redis) {
    this.prefix = config.transportKeyPrefix;
    if (!('eaSlotAcquire' in redis)) {
      redis.defineCommand('eaSlotAcquire', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
      redis.defineCommand('eaSlotExtend', { numberOfKeys: 1, lua: EXTEND_SCRIPT });
    }
    this.redis = redis as Scripted;
  }

  async acquire(agentId: string, id: string, ttlMs: number, fallbackCapacity: number): Promise<LeaseAnswer> {
    const [granted, used, capacity] = await this.redis.eaSlotAcquire(
      slotLeasesKey(this.prefix, agentId),
      slotCapacityKey(this.prefix, agentId),
      id,
      Math.max(1, Math.round(ttlMs)),
      Math.max(0, fallbackCapacity),
    );
    return { granted: granted === 1, used, capacity };
  }

  /** True when the lease was held (and now lives ttlMs longer). */
  async extend(agentId: string, id: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eaSlotExtend(slotLeasesKey(this.prefix, agentId), id, Math.round(ttlMs))) === 1;
  }

  async release(agentId: string, id: string): Promise<void> {
    await this.redis.zrem(slotLeasesKey(this.prefix, agentId), id);
  }

  /** Leases held now, expired ones not counted. */
  async held(agentId: string): Promise<string[]> {
    return this.redis.zrangebyscore(slotLeasesKey(this.prefix, agentId), `(${Date.now()}`, '+inf');
  }
}
