/**
 * Lua run atomically in Redis, so replicas of the orchestrator share one count per agent without
 * any coordination of their own. Time is Redis's clock (TIME), so replicas' clocks do not matter.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: leases, capacity. ARGV: lease id, ttl ms, capacity to use when no host reports one.
 * Drops expired leases and stale host reports; the capacity is the sum of the hosts' fresh reports
 * (an agent replicated on several hosts adds its slots up). Re-acquiring a held lease renews it.
 * Returns {granted 0|1, leases held after the call, capacity}.
 */
export const ACQUIRE_SCRIPT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local cap = 0
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local v = fields[i + 1]
  local sep = string.find(v, ':', 1, true)
  local exp = sep and tonumber(string.sub(v, sep + 1)) or 0
  if exp > now then cap = cap + (tonumber(string.sub(v, 1, sep - 1)) or 0)
  else redis.call('HDEL', KEYS[2], fields[i]) end
end
if cap == 0 then cap = tonumber(ARGV[3]) end
local ttl = tonumber(ARGV[2])
local used = redis.call('ZCARD', KEYS[1])
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not held then
  if used >= cap then return {0, used, cap} end
  used = used + 1
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return {1, used, cap}`;

/** KEYS: leases. ARGV: lease id, ttl ms. Renews a held lease only (1 when it was held). */
export const EXTEND_SCRIPT = `${NOW}
local ttl = tonumber(ARGV[2])
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + ttl, ARGV[1])
if n == 1 and redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return n`;
