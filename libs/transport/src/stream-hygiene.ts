import type { RedisConnection } from './redis-connection';
import { fieldsToRecord } from './entry-codec';

/** How long dead letters are kept: whichever bound is hit first. */
export interface DeadLetterRetention {
  /** Keep at most about this many dead letters per address. */
  maxLength: number;
  /** Drop dead letters older than this. */
  maxAgeMs: number;
}

/**
 * Bounds a dead-letter stream by length and age. Dead letters are already acknowledged on their source
 * stream, so trimming loses nothing a consumer still owes; an operator has `maxAgeMs` to look at them.
 */
export async function trimDeadLetters(
  cmd: RedisConnection,
  dlqKey: string,
  retention: DeadLetterRetention,
): Promise<void> {
  const minId = `${Math.max(0, Date.now() - retention.maxAgeMs)}-0`;
  // Exact, not `~`: dead-letter streams are small, and an approximate trim keeps whole 100-entry nodes.
  await cmd.xtrim(dlqKey, 'MINID', minId);
  await cmd.xtrim(dlqKey, 'MAXLEN', retention.maxLength);
}

/**
 * Removes consumers of a group that hold no pending entries and were idle longer than `idleMs`: replicas
 * that died or were scaled away (a pod name per restart leaves one behind each time). A consumer with
 * pending entries stays until those are reclaimed; this instance never removes itself.
 */
export async function removeDeadConsumers(
  cmd: RedisConnection,
  key: string,
  group: string,
  self: string,
  idleMs: number,
): Promise<string[]> {
  const consumers = ((await cmd.xinfo('CONSUMERS', key, group)) as unknown[][]).map((c) =>
    fieldsToRecord(c.map((v) => String(v))),
  );
  const removed: string[] = [];
  for (const c of consumers) {
    // `inactive` (Redis 7.2+) is the time since the last successful read; `idle` since any attempt.
    const idle = Number(c.inactive ?? c.idle);
    if (c.name === self || Number(c.pending) > 0 || !(idle > idleMs)) continue;
    await cmd.xgroup('DELCONSUMER', key, group, c.name);
    removed.push(c.name);
  }
  return removed;
}
