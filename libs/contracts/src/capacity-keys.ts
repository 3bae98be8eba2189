/**
 * Redis keys of capacity-aware dispatch (docs/decisions/0080). Each agent's keys share a hash tag,
 * so the lease script touches one Cluster slot.
 */

/** Sorted set of an agent's slot leases: member `<task_id>:<attempt>`, score = expiry (ms, Redis clock). */
export const slotLeasesKey = (prefix: string, agentId: string): string => `${prefix}:slots:{${agentId}}`;

/** Hash of the slots each host offers for an agent: field = host instance id, value `<max>:<expiry ms>`. */
export const slotCapacityKey = (prefix: string, agentId: string): string => `${prefix}:capacity:{${agentId}}`;

/** Lowest attempt of a task still allowed to run (set when an attempt is superseded); hosts skip older ones. */
export const currentAttemptKey = (taskId: string): string => `ea:signals:attempt:${taskId}`;

/**
 * Which stream entry claimed an attempt (value: the entry id). Another entry with the same task and attempt is a
 * copy (a producer's re-sent XADD after a lost reply) and is never executed; the same entry delivered again (a
 * reclaim after its consumer died) may run. Tagged by agent: a host's Redis user may write only its own agents' claims.
 */
export const attemptClaimKey = (agentId: string, taskId: string, attempt: number): string =>
  `ea:signals:claim:{${agentId}}:${taskId}:${attempt}`;

/** Published `<task_id>:<attempt>` when attempts below `attempt` are superseded: a host running one stops it. */
export const SUPERSEDE_CHANNEL = 'ea:signals:supersede';
