import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/persistence';
import { RegistryKeys } from './registry-keys';

/** What Redis knows about an agent that PostgreSQL may not have yet. */
export interface Freshness {
  heartbeatMs?: number;
  currentTasks?: number;
  maxTasks?: number;
}

export interface BeatResult {
  /** The sweeper had expired this agent: the caller must bring it back online synchronously. */
  wasExpired: boolean;
  /** current_tasks / max_tasks before this beat, when the beat reported one and Redis had one. */
  previousCurrentTasks?: number;
  previousMaxTasks?: number;
}

// One round trip per heartbeat: freshness, optional load, and the "was expired" flag, atomically
// with respect to the sweeper's script below.
const BEAT_SCRIPT = `
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
local previousCurrent = false
local previousMax = false
if ARGV[3] ~= '' then
  previousCurrent = redis.call('HGET', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
if ARGV[4] ~= '' then
  previousMax = redis.call('HGET', KEYS[3], ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
end
local expired = redis.call('SREM', KEYS[4], ARGV[1])
return {expired, previousCurrent or '', previousMax or ''}
`;

// Expires the candidates whose freshness is still older than the cutoff (or unknown), in one
// atomic step: a beat lands either before (and is seen here) or after (and finds the flag).
const EXPIRE_SCRIPT = `
local out = {}
local cutoff = tonumber(ARGV[1])
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if (not score) or tonumber(score) < cutoff then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('SADD', KEYS[2], ARGV[i])
    out[#out + 1] = ARGV[i]
  end
end
return out
`;

type ScriptedRedis = Redis & {
  registryBeat(
    keys: [string, string, string, string],
    id: string,
    ms: number,
    cur: string,
    max: string,
  ): Promise<[number, string, string]>;
  registryExpire(hb: string, expired: string, cutoff: number, ...ids: string[]): Promise<string[]>;
};

function toInt(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Heartbeat freshness and reported load kept in Redis so a heartbeat is not a database commit. */
@Injectable()
export class FreshnessStore {
  readonly keys: RegistryKeys;
  private readonly redis: ScriptedRedis;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.keys = new RegistryKeys(config.registryRedisPrefix);
    if (!('registryBeat' in redis)) {
      redis.defineCommand('registryBeat', { numberOfKeys: 4, lua: BEAT_SCRIPT });
      redis.defineCommand('registryExpire', { numberOfKeys: 2, lua: EXPIRE_SCRIPT });
    }
    this.redis = redis as ScriptedRedis;
  }

  async beat(agentId: string, ms: number, load: { currentTasks?: number; maxTasks?: number }): Promise<BeatResult> {
    const k = this.keys;
    const [expired, previousCurrent, previousMax] = await this.redis.registryBeat(
      [k.heartbeats, k.currentTasks, k.maxTasks, k.expired],
      agentId,
      ms,
      load.currentTasks === undefined ? '' : String(load.currentTasks),
      load.maxTasks === undefined ? '' : String(load.maxTasks),
    );
    return {
      wasExpired: expired === 1,
      previousCurrentTasks: toInt(previousCurrent),
      previousMaxTasks: toInt(previousMax),
    };
  }

  /** A fresh registration: fresh heartbeat, not expired, and PostgreSQL's max_tasks wins when given. */
  async registered(agentId: string, ms: number, maxTasksWritten: boolean): Promise<void> {
    const pipeline = this.redis.multi().zadd(this.keys.heartbeats, 'GT', ms, agentId).srem(this.keys.expired, agentId);
    if (maxTasksWritten) pipeline.hdel(this.keys.maxTasks, agentId);
    await pipeline.exec();
  }

  /** A synchronous load write to PostgreSQL supersedes what earlier heartbeats reported. */
  async loadWritten(agentId: string, fields: { currentTasks: boolean; maxTasks: boolean }): Promise<void> {
    const pipeline = this.redis.multi();
    if (fields.currentTasks) pipeline.hdel(this.keys.currentTasks, agentId);
    if (fields.maxTasks) pipeline.hdel(this.keys.maxTasks, agentId);
    await pipeline.exec();
  }

  async forget(agentId: string): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.keys.heartbeats, agentId)
      .hdel(this.keys.currentTasks, agentId)
      .hdel(this.keys.maxTasks, agentId)
      .srem(this.keys.expired, agentId)
      .exec();
  }

  /** Redis's view of these agents, in one round trip. */
  async read(agentIds: readonly string[]): Promise<Map<string, Freshness>> {
    const out = new Map<string, Freshness>();
    if (agentIds.length === 0) return out;
    const results = await this.redis
      .pipeline()
      .zmscore(this.keys.heartbeats, ...agentIds)
      .hmget(this.keys.currentTasks, ...agentIds)
      .hmget(this.keys.maxTasks, ...agentIds)
      .exec();
    if (!results) throw new Error('redis pipeline returned nothing');
    for (const [error] of results) if (error) throw error;
    const scores = results[0][1] as (string | null)[];
    const current = results[1][1] as (string | null)[];
    const max = results[2][1] as (string | null)[];
    agentIds.forEach((id, i) => {
      out.set(id, { heartbeatMs: toInt(scores[i]), currentTasks: toInt(current[i]), maxTasks: toInt(max[i]) });
    });
    return out;
  }

  /** Only the reported load (discovery's hot path): two hash reads in one round trip. */
  async readLoad(agentIds: readonly string[]): Promise<Map<string, Freshness>> {
    const out = new Map<string, Freshness>();
    if (agentIds.length === 0) return out;
    const results = await this.redis
      .pipeline()
      .hmget(this.keys.currentTasks, ...agentIds)
      .hmget(this.keys.maxTasks, ...agentIds)
      .exec();
    if (!results) throw new Error('redis pipeline returned nothing');
    for (const [error] of results) if (error) throw error;
    const current = results[0][1] as (string | null)[];
    const max = results[1][1] as (string | null)[];
    agentIds.forEach((id, i) => out.set(id, { currentTasks: toInt(current[i]), maxTasks: toInt(max[i]) }));
    return out;
  }

  /** Moves the candidates that are still stale into the expired set; returns those moved. */
  async expire(candidates: readonly string[], cutoffMs: number): Promise<string[]> {
    if (candidates.length === 0) return [];
    return this.redis.registryExpire(this.keys.heartbeats, this.keys.expired, cutoffMs, ...candidates);
  }
}
