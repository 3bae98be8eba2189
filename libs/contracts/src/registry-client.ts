/**
 * The one way another app calls the registry: a typed client of the API declared in registry-api.ts. Requests are
 * the contract's request shapes, answers are read through its compiled checks (never cast), and every call has a
 * timeout. Transport concerns of the caller (its credential, trace headers) come in as options, so this lib stays
 * free of the apps' libs.
 */
import {
  AgentLoad,
  AgentLoadReport,
  AgentRegistration,
  AgentStatus,
  readAgentAnswer,
  readDiscoveryAnswer,
} from './registry-api';

/** The registry answered with an error status (4xx/5xx); `status` says which. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }
}

/** The registry answered 2xx with a body that is not the registry API's. */
export class RegistryAnswerError extends Error {
  constructor(path: string) {
    super(`registry ${path} answered with a body that is not the registry API's`);
    this.name = 'RegistryAnswerError';
  }
}

export interface RegistryClientOptions {
  /** e.g. http://registry:5100 (a trailing slash is ignored). */
  baseUrl: string;
  /** Bearer credential: a host's key bound to its agents, or a key with `registry:read` for discovery. */
  credential?: string;
  timeoutMs?: number;
  /** Adds the caller's headers to each request (e.g. the trace context); gets and returns the header object. */
  decorateHeaders?: (headers: Record<string, string>) => Record<string, string>;
}

/** Which agents may take a task: one agent by id, or by capability (optionally within a role), or by role. */
export interface DiscoveryQuery {
  agent_id?: string | null;
  capability?: string | null;
  min_proficiency?: number | null;
  role?: string | null;
}

const DEFAULT_TIMEOUT_MS = 5_000;

export class RegistryClient {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly decorate: (headers: Record<string, string>) => Record<string, string>;

  constructor(options: RegistryClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = options.credential ? { authorization: `Bearer ${options.credential}` } : {};
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.decorate = options.decorateHeaders ?? ((headers) => headers);
  }

  register(body: Required<AgentRegistration>): Promise<void> {
    return this.post('/api/agents/register', body);
  }

  heartbeat(agentId: string, load: AgentLoadReport): Promise<void> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/heartbeat`, load);
  }

  reportLoad(agentId: string, load: AgentLoadReport): Promise<void> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/load`, load);
  }

  setStatus(agentId: string, status: Exclude<AgentStatus, 'error'>): Promise<void> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/status`, { status });
  }

  /** The `GET` path a discovery query asks, or undefined when the query names nothing to look for. */
  static discoveryPath(query: DiscoveryQuery): string | undefined {
    if (query.agent_id) return `/api/agents/${encodeURIComponent(query.agent_id)}`;
    if (query.capability) {
      const q = new URLSearchParams({
        capability: query.capability,
        min_proficiency: String(query.min_proficiency ?? 1),
      });
      if (query.role) q.set('role', query.role);
      return `/api/agents/discover?${q.toString()}`;
    }
    if (query.role) return `/api/agents/discover/${encodeURIComponent(query.role)}`;
    return undefined;
  }

  /**
   * The agents that may take a task with their load, best first. An unknown agent, role or capability (404) and a
   * query the registry refuses (400) are no agents; other failures throw (RegistryHttpError, RegistryAnswerError,
   * or the network's error). One agent asked by id is returned whatever its status.
   */
  async discover(query: DiscoveryQuery): Promise<AgentLoad[]> {
    const path = RegistryClient.discoveryPath(query);
    if (path === undefined) return [];
    const response = await fetch(`${this.baseUrl}${path}`, {
      signal: AbortSignal.timeout(this.timeoutMs),
      headers: this.decorate({ ...this.headers }),
    });
    if (response.status === 404 || response.status === 400) {
      await response.arrayBuffer(); // release the connection
      return [];
    }
    if (!response.ok) throw await this.httpError(path, response);
    const body: unknown = await response.json();
    const read = query.agent_id ? readAgentAnswer(body) : readDiscoveryAnswer(body);
    if (read === undefined) throw new RegistryAnswerError(path);
    return Array.isArray(read) ? read : [read];
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: this.decorate({ 'content-type': 'application/json', ...this.headers }),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.ok) {
      await response.arrayBuffer(); // release the connection
      return;
    }
    throw await this.httpError(path, response);
  }

  private async httpError(path: string, response: Response): Promise<RegistryHttpError> {
    const text = await response.text().catch(() => '');
    return new RegistryHttpError(
      response.status,
      `registry ${path.split('?')[0]} answered ${response.status}: ${text.slice(0, 300)}`,
    );
  }
}
