import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RoutingService } from '../routing/routing.service';
import { Dispatcher } from '../tasks/dispatcher.service';
import { TaskStore } from '../tasks/store';
import { SlotLeases } from './slot-leases.service';

const RECONCILE_EVERY_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The leases that no attempt in flight backs, seen so in two rounds in a row (a lease is taken just
 * before its attempt is written, so one round could catch that gap): these are dropped.
 */
export function staleLeases(held: readonly string[], inFlight: ReadonlySet<string>, suspects: ReadonlySet<string>) {
  const unbacked = held.filter((id) => !inFlight.has(id));
  return { drop: unbacked.filter((id) => suspects.has(id)), suspects: new Set(unbacked) };
}

/**
 * Reconciles slot leases with PostgreSQL, the record of attempts: a lease whose release was lost
 * (the orchestrator died between recording a result and releasing) frees its slot within two
 * rounds instead of at its expiry. Covers the agents this replica has leased to.
 */
@Injectable()
export class LeaseReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(LeaseReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private suspects = new Map<string, Set<string>>();

  constructor(
    private readonly store: TaskStore,
    private readonly leases: SlotLeases,
    private readonly routing: RoutingService,
    private readonly dispatcher: Dispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.reconcile()
        .catch((error: unknown) => this.log.warn(`lease reconciliation failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, RECONCILE_EVERY_MS);
    this.timer.unref();
  }

  /** One round; returns how many leases were dropped. */
  async reconcile(): Promise<number> {
    let dropped = 0;
    for (const agentId of this.routing.leasedAgents()) {
      const held = (await this.leases.held(agentId)).filter((id) => UUID.test(id.slice(0, id.lastIndexOf(':'))));
      if (held.length === 0) {
        this.suspects.delete(agentId);
        continue;
      }
      const inFlight = await this.store.attemptsInFlight(
        agentId,
        held.map((id) => id.slice(0, id.lastIndexOf(':'))),
      );
      const { drop, suspects } = staleLeases(held, new Set(inFlight), this.suspects.get(agentId) ?? new Set());
      this.suspects.set(agentId, suspects);
      this.dispatcher.freeSlots(
        drop.map((id) => {
          const sep = id.lastIndexOf(':');
          return { agent_id: agentId, task_id: id.slice(0, sep), attempt: Number(id.slice(sep + 1)) };
        }),
      );
      if (drop.length > 0)
        this.log.warn(`${agentId}: released ${drop.length} slot lease(s) no attempt in flight backs`);
      dropped += drop.length;
    }
    if (dropped > 0) this.dispatcher.slotFreed();
    return dropped;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
