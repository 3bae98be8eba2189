import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RegistryClient } from '@app/contracts';
import { leaseId, SlotLeases } from '../capacity/slot-leases.service';
import { Candidate, orderByLoad } from './route-order';

/** Who should run a task: an explicit agent, or a role and/or capability for discovery. */
export interface RouteSpec {
  agent_id?: string | null;
  role?: string | null;
  capability?: string | null;
  min_proficiency?: number | null;
}

interface CacheEntry {
  agents: Candidate[];
  expires: number;
}

const EMPTY_ANSWER_TTL_MS = 250;

/** A slot of `agent_id` held for one attempt. */
export interface Lease {
  readonly agent_id: string;
  /** The attempt will not run on it (never recorded, or recorded elsewhere first): the slot is free again. Once. */
  release(): void;
}

/** Where a task goes: a slot lease on an agent, or why none (no agent at all / all slots taken). */
export type LeaseOutcome = Lease | { miss: 'no_agent' | 'no_slot' };

class SlotLease implements Lease {
  private released = false;

  constructor(
    readonly agent_id: string,
    private readonly giveBack: () => void,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack();
  }
}

/** A route with no agent in discovery keeps its last agents this long (the registry hides agents it thinks full). */
const REMEMBER_AGENTS_MS = 10_000;

/**
 * Picks the agent for a task from the registry's discovery (the registry stays the authority on
 * who is online) and leases one of its slots (SlotLeases: shared by all replicas, so an agent never
 * gets more attempts than it has slots). Least loaded first, by the lease counts this process last
 * saw, falling back on the registry's load. Discovery answers are cached briefly and coalesced.
 */
@Injectable()
export class RoutingService {
  private readonly log = new Logger(RoutingService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly remembered = new Map<string, CacheEntry>();
  private readonly inflightFetches = new Map<string, Promise<Candidate[]>>();
  /** Leases held / slots offered per agent, as the last lease call answered (all replicas). */
  private readonly seen = new Map<string, { used: number; capacity: number }>();
  private rotation = 0;
  private lastWarn = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leases: SlotLeases,
    private readonly registry: RegistryClient,
  ) {}

  /**
   * Leases a slot for this attempt on the least loaded agent that has one. `avoid` (the agent of
   * the previous attempt) is tried last.
   */
  async lease(
    spec: RouteSpec,
    attempt: { task_id: string; attempt: number },
    ttlMs: number,
    avoid?: string | null,
  ): Promise<LeaseOutcome> {
    const key = routeKey(spec);
    const agents = await this.candidates(key, spec);
    if (agents.length === 0) return { miss: 'no_agent' };
    const ordered = orderByLoad(agents, this.seen, this.rotation++, avoid);
    const id = leaseId(attempt.task_id, attempt.attempt);
    for (const a of ordered) {
      const answer = await this.leases.acquire(a.agent_id, id, ttlMs, a.max_tasks);
      this.seen.set(a.agent_id, { used: answer.used, capacity: answer.capacity });
      if (answer.granted)
        return new SlotLease(a.agent_id, () => this.release(a.agent_id, attempt.task_id, attempt.attempt));
    }
    return { miss: 'no_slot' };
  }

  /** Agents this replica has leased slots of (for reconciliation). */
  leasedAgents(): string[] {
    return [...this.seen.keys()];
  }

  /** The attempt started: its lease now lasts until its execution deadline (plus grace). */
  extend(agentId: string, taskId: string, attempt: number, ttlMs: number): void {
    this.leases.extend(agentId, leaseId(taskId, attempt), ttlMs).catch((error: unknown) => this.warn(error));
  }

  /**
   * The recorded attempt ended: its slot is free for the next task. A lease not recorded yet is given
   * back through its own `release`.
   */
  release(agentId: string | null | undefined, taskId: string, attempt: number): void {
    if (!agentId) return;
    const s = this.seen.get(agentId);
    if (s && s.used > 0) s.used -= 1;
    this.leases.release(agentId, leaseId(taskId, attempt)).catch((error: unknown) => this.warn(error));
  }

  private warn(error: unknown): void {
    // An unreleased lease expires on its own; an unextended one may let one task too many through.
    if (Date.now() - this.lastWarn > 10_000) {
      this.lastWarn = Date.now();
      this.log.warn(`slot lease update failed: ${(error as Error).message}`);
    }
  }

  /** Forget cached answers (an agent registered or went offline). */
  invalidate(): void {
    this.cache.clear();
  }

  private async candidates(key: string, spec: RouteSpec): Promise<Candidate[]> {
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.agents;
    let pending = this.inflightFetches.get(key);
    if (!pending) {
      pending = this.fetch(spec).finally(() => this.inflightFetches.delete(key));
      this.inflightFetches.set(key, pending);
    }
    let agents = await pending;
    if (agents.length > 0) this.remembered.set(key, { agents, expires: Date.now() + REMEMBER_AGENTS_MS });
    else {
      const last = this.remembered.get(key);
      if (last && last.expires > Date.now()) agents = last.agents;
    }
    const ttl =
      agents.length === 0
        ? Math.min(EMPTY_ANSWER_TTL_MS, this.config.orchestrator.discoveryCacheMs)
        : this.config.orchestrator.discoveryCacheMs;
    this.cache.set(key, { agents, expires: Date.now() + ttl });
    return agents;
  }

  private async fetch(spec: RouteSpec): Promise<Candidate[]> {
    try {
      // An explicit agent is used whatever its status: its stream keeps the task until it reads it.
      return await this.registry.discover(spec);
    } catch (error) {
      if (Date.now() - this.lastWarn > 10_000) {
        this.lastWarn = Date.now();
        const path = RegistryClient.discoveryPath(spec) ?? '';
        this.log.warn(`registry discovery failed (${path}): ${(error as Error).message}; tasks wait`);
      }
      return [];
    }
  }
}

/** Tasks with the same key are routed alike (and wait for the same agents). */
export function routeKey(spec: RouteSpec): string {
  if (spec.agent_id) return `agent:${spec.agent_id}`;
  if (spec.capability) return `cap:${spec.capability}:${spec.min_proficiency ?? 1}:${spec.role ?? ''}`;
  return `role:${spec.role ?? ''}`;
}
