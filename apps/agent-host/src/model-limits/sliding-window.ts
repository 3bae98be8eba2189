import type Redis from 'ioredis';

/**
 * Sliding one-minute windows in Redis, shared by every agent host (decision 0122): a log of admitted calls (RPM), a
 * log of tokens (TPM, with later corrections to the estimate), leases of calls in flight (concurrency) and a
 * "blocked until" key a provider's 429 retry-after sets. Atomic in one script on Redis' clock: the reply is 0 (the
 * call is admitted and logged) or how many ms to wait before asking again.
 * KEYS: calls, tokens, leases, blocked. ARGV: rpm, tpm, max concurrent, tokens, call id, lease ms, window ms.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = redis.call('PTTL', KEYS[4])
if blocked > 0 then return blocked end
local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local win = tonumber(ARGV[7])
local wait = 0
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
  local n = redis.call('ZCARD', KEYS[1])
  if n >= rpm then
    local e = redis.call('ZRANGE', KEYS[1], n - rpm, n - rpm, 'WITHSCORES')
    wait = math.max(wait, tonumber(e[2]) + win - now + 1)
  end
end
if tpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - win)
  local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  local used = 0
  for i = 1, #entries, 2 do used = used + tonumber(string.match(entries[i], '|(-?%d+)$')) end
  if used > 0 and used + tokens > tpm then
    local freed = 0
    for i = 1, #entries, 2 do
      freed = freed + tonumber(string.match(entries[i], '|(-?%d+)$'))
      if used - freed + tokens <= tpm then
        wait = math.max(wait, tonumber(entries[i + 1]) + win - now + 1)
        break
      end
    end
    if wait == 0 then wait = win end
  end
end
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= conc then wait = math.max(wait, 50) end
end
if wait > 0 then return wait end
if rpm > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], win + 1000)
end
if tpm > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[5] .. '|' .. tokens)
  redis.call('PEXPIRE', KEYS[2], win + 1000)
end
if conc > 0 then
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[6]), ARGV[5])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]) + 1000)
end
return 0
`;

/** Adds a token correction (actual − estimate) to the TPM log. KEYS: tokens. ARGV: member. */
const CORRECT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 0
`;

/** Extends the block of a key to `ms` from now, never shortening a longer one. KEYS: blocked. ARGV: ms. */
const BLOCK = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 0
`;

export interface WindowLimits {
  rpm: number;
  tpm: number;
  maxConcurrent: number;
}

/**
 * The limiter counts a call for a minute plus a second from its admission, so it still counts when the provider
 * (which sees the call a moment later) does: a minute-exact window would let a call through that the provider's
 * own window still holds the predecessor of.
 */
export const LIMITER_WINDOW_MS = 61_000;
export const PROVIDER_WINDOW_MS = 60_000;

/** One limited resource (a provider's model) in Redis. */
export class SlidingWindow {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly windowMs = LIMITER_WINDOW_MS,
  ) {}

  private keys(): string[] {
    return ['calls', 'tokens', 'leases', 'blocked'].map((k) => `${this.key}:${k}`);
  }

  /** 0 when admitted (and logged), else ms to wait. */
  async tryAcquire(limits: WindowLimits, tokens: number, id: string, leaseMs: number): Promise<number> {
    const reply = await this.redis.eval(
      ACQUIRE,
      4,
      ...this.keys(),
      limits.rpm,
      limits.tpm,
      limits.maxConcurrent,
      Math.max(0, Math.round(tokens)),
      id,
      leaseMs,
      this.windowMs,
    );
    return Number(reply);
  }

  async release(id: string): Promise<void> {
    await this.redis.zrem(`${this.key}:leases`, id);
  }

  async correctTokens(id: string, delta: number): Promise<void> {
    if (delta === 0) return;
    await this.redis.eval(CORRECT, 1, `${this.key}:tokens`, `${id}:fix|${Math.round(delta)}`, this.windowMs);
  }

  /** A provider said 429 with retry-after: every host holds its calls back that long. */
  async block(ms: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, `${this.key}:blocked`, Math.ceil(ms));
  }
}
