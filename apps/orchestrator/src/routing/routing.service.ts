import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { injectTraceHeaders } from '@app/observability';

/** Who should run a task: an explicit agent, or a role and/or capability for discovery. */
export interface RouteSpec {
  agent_id?: string | null;
  role?: string | null;
  capability?: string | null;
  min_proficiency?: number | null;
}

interface Candidate {
  agent_id: string;
  current_tasks: number;
  max_tasks: number;
}

interface CacheEntry {
  agents: Candidate[];
  expires: number;
}

const EMPTY_ANSWER_TTL_MS = 250;
const REGISTRY_TIMEOUT_MS = 3_000;

/**
 * Picks the agent for a task from the registry's discovery (the registry stays the authority on
 * who is online and how busy). Discovery answers are cached briefly and coalesced, and each pick
 * is counted locally until the task ends, so a burst of tasks spreads over the agents instead
 * of all going to whoever was least busy a moment ago.
 */
@Injectable()
export class RoutingService {
  private readonly log = new Logger(RoutingService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflightFetches = new Map<string, Promise<Candidate[]>>();
  private readonly localLoad = new Map<string, number>();
  private rotation = 0;
  private lastWarn = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The chosen agent id, or undefined when none is available now (the task waits). */
  async pick(spec: RouteSpec, avoid?: string | null): Promise<string | undefined> {
    const key = this.cacheKey(spec);
    const agents = await this.candidates(key, spec);
    if (agents.length === 0) return undefined;
    const pool = agents.length > 1 && avoid ? agents.filter((a) => a.agent_id !== avoid) : agents;
    let best: Candidate | undefined;
    let bestScore = Infinity;
    const offset = this.rotation++ % pool.length;
    for (let i = 0; i < pool.length; i++) {
      const a = pool[(i + offset) % pool.length];
      // The registry sees every client's tasks (with a lag); the local count sees ours at once.
      const load = Math.max(a.current_tasks, this.localLoad.get(a.agent_id) ?? 0);
      const score = load / Math.max(1, a.max_tasks);
      if (score < bestScore) {
        best = a;
        bestScore = score;
      }
    }
    this.localLoad.set(best!.agent_id, (this.localLoad.get(best!.agent_id) ?? 0) + 1);
    return best!.agent_id;
  }

  /** A task sent to this agent ended (or was re-dispatched elsewhere). */
  release(agentId: string | null | undefined): void {
    if (!agentId) return;
    const n = (this.localLoad.get(agentId) ?? 0) - 1;
    if (n <= 0) this.localLoad.delete(agentId);
    else this.localLoad.set(agentId, n);
  }

  /** Forget cached answers (an agent registered or went offline). */
  invalidate(): void {
    this.cache.clear();
  }

  private cacheKey(spec: RouteSpec): string {
    if (spec.agent_id) return `agent:${spec.agent_id}`;
    if (spec.capability) return `cap:${spec.capability}:${spec.min_proficiency ?? 1}:${spec.role ?? ''}`;
    return `role:${spec.role ?? ''}`;
  }

  private async candidates(key: string, spec: RouteSpec): Promise<Candidate[]> {
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.agents;
    let pending = this.inflightFetches.get(key);
    if (!pending) {
      pending = this.fetch(spec).finally(() => this.inflightFetches.delete(key));
      this.inflightFetches.set(key, pending);
    }
    const agents = await pending;
    const ttl =
      agents.length === 0
        ? Math.min(EMPTY_ANSWER_TTL_MS, this.config.orchestrator.discoveryCacheMs)
        : this.config.orchestrator.discoveryCacheMs;
    this.cache.set(key, { agents, expires: Date.now() + ttl });
    return agents;
  }

  private async fetch(spec: RouteSpec): Promise<Candidate[]> {
    const base = this.config.registryUrl.replace(/\/$/, '');
    let url: string;
    if (spec.agent_id) url = `${base}/api/agents/${encodeURIComponent(spec.agent_id)}`;
    else if (spec.capability) {
      const q = new URLSearchParams({
        capability: spec.capability,
        min_proficiency: String(spec.min_proficiency ?? 1),
      });
      if (spec.role) q.set('role', spec.role);
      url = `${base}/api/agents/discover?${q.toString()}`;
    } else if (spec.role) url = `${base}/api/agents/discover/${encodeURIComponent(spec.role)}`;
    else return [];
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
        headers: injectTraceHeaders({}),
      });
      if (response.status === 404 || response.status === 400) return [];
      if (!response.ok) throw new Error(`registry answered ${response.status}`);
      const body = (await response.json()) as Record<string, unknown>;
      if (spec.agent_id) {
        // An explicit agent is used whatever its status: its stream keeps the task until it reads it.
        const load = (body.load ?? {}) as Partial<Candidate>;
        return [
          { agent_id: String(body.agent_id), current_tasks: load.current_tasks ?? 0, max_tasks: load.max_tasks ?? 1 },
        ];
      }
      const agents = Array.isArray(body.agents) ? (body.agents as Candidate[]) : [];
      return agents.map((a) => ({
        agent_id: a.agent_id,
        current_tasks: a.current_tasks ?? 0,
        max_tasks: a.max_tasks ?? 1,
      }));
    } catch (error) {
      if (Date.now() - this.lastWarn > 10_000) {
        this.lastWarn = Date.now();
        this.log.warn(`registry discovery failed (${url}): ${(error as Error).message}; tasks wait`);
      }
      return [];
    }
  }
}
