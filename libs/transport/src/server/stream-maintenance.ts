import { fieldsToRecord } from '../entry-codec';
import { BROADCAST_ADDRESS, broadcastGroup } from '../keys';
import type { RedisConnection } from '../redis-connection';
import { removeDeadConsumers, trimDeadLetters } from '../stream-hygiene';
import type { TransportMetrics } from '../transport.metrics';
import type { ResolvedServerOptions } from '../transport.options';
import { safeMinId } from '../trim';
import type { Lane } from './lane';
import type { ServerLog } from './server-log';

interface GroupInfo {
  name: string;
  pending: number;
  lastDeliveredId: string;
}

/** The server's periodic upkeep, off the delivery path: lease renewal, trimming, gauges, removing the dead. */
export class StreamMaintenance {
  constructor(
    private readonly cmd: RedisConnection,
    private readonly options: ResolvedServerOptions,
    private readonly metrics: TransportMetrics,
    private readonly log: ServerLog,
  ) {}

  /** Reset the idle time of entries this instance still owns so nobody reclaims a long-running handler's entry. */
  async renewLeases(lanes: readonly Lane[]): Promise<void> {
    const cmd = this.cmd;
    for (const lane of lanes) {
      if (lane.held.size === 0) continue;
      await cmd
        .xclaim(lane.key, lane.group, this.options.consumerName, 0, ...lane.held, 'JUSTID')
        .catch((err: unknown) => this.log.throttledWarn('lease renewal', err));
    }
  }

  /** Trim acknowledged entries, refresh the pending and dead-letter gauges, drop broadcast groups of dead instances. */
  async maintain(lanes: readonly Lane[]): Promise<void> {
    const cmd = this.cmd;
    for (const lane of lanes) {
      try {
        const groups = await this.groupsOf(lane.key);
        this.metrics.pendingEntries.set(
          { address: lane.address },
          groups.reduce((n, g) => n + g.pending, 0),
        );
        this.metrics.deadLetterEntries.set({ address: lane.address }, await cmd.xlen(lane.dlqKey));
        if (lane.address === BROADCAST_ADDRESS) await this.dropStaleBroadcastGroups(lane, groups);
        else await this.removeDeadConsumers(lane);
        await trimDeadLetters(cmd, lane.dlqKey, this.options.deadLetterRetention);
        if (this.options.trim) await this.trim(lane, groups, this.options.trim.maxLength);
      } catch (err) {
        this.log.throttledWarn(`maintenance of ${lane.address}`, err);
      }
    }
  }

  private async groupsOf(key: string): Promise<GroupInfo[]> {
    const raw = (await this.cmd.xinfo('GROUPS', key)) as unknown[][];
    return raw.map((g) => {
      const r = fieldsToRecord(g.map(String));
      return { name: r.name, pending: Number(r.pending), lastDeliveredId: r['last-delivered-id'] };
    });
  }

  /** Above `maxLength`, drop the entries every group has acknowledged (never one still pending or unread). */
  private async trim(lane: Lane, groups: GroupInfo[], maxLength: number): Promise<void> {
    const cmd = this.cmd;
    if ((await cmd.xlen(lane.key)) <= maxLength) return;
    const positions = [];
    for (const g of groups) {
      let oldestPendingId: string | null = null;
      if (g.pending > 0) {
        const summary = (await cmd.xpending(lane.key, g.name)) as [number, string | null, string | null, unknown];
        oldestPendingId = summary[1];
      }
      positions.push({ lastDeliveredId: g.lastDeliveredId, oldestPendingId });
    }
    const minId = safeMinId(positions);
    // Entries appended meanwhile have larger ids; entries below minId are acknowledged by every group.
    if (minId) await cmd.xtrim(lane.key, 'MINID', minId);
  }

  private async removeDeadConsumers(lane: Lane): Promise<void> {
    const o = this.options;
    const removed = await removeDeadConsumers(this.cmd, lane.key, lane.group, o.consumerName, o.deadConsumerIdleMs);
    if (removed.length > 0) this.log.log(`removed idle consumers ${removed.join(', ')} from ${lane.address}`);
  }

  /** A broadcast group per instance: one whose consumers all went quiet belongs to an instance that is gone. */
  private async dropStaleBroadcastGroups(lane: Lane, groups: GroupInfo[]): Promise<void> {
    const cmd = this.cmd;
    for (const g of groups) {
      if (g.name === lane.group || !g.name.startsWith(broadcastGroup(''))) continue;
      const consumers = ((await cmd.xinfo('CONSUMERS', lane.key, g.name)) as unknown[][]).map((c) =>
        fieldsToRecord(c.map(String)),
      );
      if (consumers.length > 0 && consumers.every((c) => Number(c.idle) > this.options.broadcastGroupTtlMs)) {
        await cmd.xgroup('DESTROY', lane.key, g.name);
        this.log.log(
          `removed broadcast group ${g.name} of an instance idle for over ${this.options.broadcastGroupTtlMs} ms`,
        );
      }
    }
  }
}
