import { compareStreamIds, nextStreamId } from './keys';

export interface GroupPosition {
  /** Last id delivered to the group (XINFO GROUPS last-delivered-id). */
  lastDeliveredId: string;
  /** Smallest id still pending (unacknowledged) in the group, if any. */
  oldestPendingId: string | null;
}

/**
 * The largest MINID that removes no entry any group still needs: below every group's oldest pending entry and
 * at or below the first entry it has not read yet. Null means "no group: trim nothing".
 */
export function safeMinId(groups: GroupPosition[]): string | null {
  let min: string | null = null;
  for (const g of groups) {
    const keepFrom = g.oldestPendingId ?? nextStreamId(g.lastDeliveredId);
    if (min === null || compareStreamIds(keepFrom, min) < 0) min = keepFrom;
  }
  return min;
}

/** Combine the length cap (id of the oldest entry to keep) with the safety bound: the lower one wins. */
export function trimTarget(safe: string | null, lengthCapId: string | null): string | null {
  if (safe === null || lengthCapId === null) return null;
  return compareStreamIds(lengthCapId, safe) < 0 ? lengthCapId : safe;
}
