/** Liveness arithmetic, kept pure so the rule is tested on its own. */
export interface TtlSettings {
  heartbeatTtlSeconds: number;
  heartbeatGraceSeconds: number;
}

/**
 * Heartbeats older than this instant are expired: the TTL plus a grace so one late beat never
 * flaps an agent. A beat exactly at the cutoff still counts (the SQL and Lua compare with <).
 */
export function expiryCutoffMs(nowMs: number, settings: TtlSettings): number {
  return nowMs - (settings.heartbeatTtlSeconds + settings.heartbeatGraceSeconds) * 1000;
}
