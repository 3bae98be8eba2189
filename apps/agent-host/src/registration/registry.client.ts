import { Inject, Injectable } from '@nestjs/common';
import type { AgentLoadReport, AgentRegistration } from '@app/contracts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { injectTraceHeaders } from '@app/observability';

/** What a host registers: every field the registry's contract has, none left to its defaults. */
export type RegistrationBody = Required<AgentRegistration>;

/** What a host reports: always both counts (its slots and how many are taken). */
export type LoadBody = AgentLoadReport & Required<Pick<AgentLoadReport, 'current_tasks' | 'max_tasks'>>;

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

const REQUEST_TIMEOUT_MS = 5_000;

/** Thin HTTP client of the registry's seed API (`/api/agents/...`); every call has a timeout. */
@Injectable()
export class RegistryClient {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.baseUrl = config.registryUrl.replace(/\/+$/, '');
    // The host's credential, bound to its agent ids: the registry lets it act only as those.
    const key = config.auth.agentHostApiKey;
    this.headers = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  }

  register(body: RegistrationBody): Promise<void> {
    return this.post('/api/agents/register', body);
  }

  heartbeat(agentId: string, load: LoadBody): Promise<void> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/heartbeat`, load);
  }

  reportLoad(agentId: string, load: LoadBody): Promise<void> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/load`, load);
  }

  setStatus(agentId: string, status: 'online' | 'offline' | 'busy'): Promise<void> {
    return this.post(`/api/agents/${encodeURIComponent(agentId)}/status`, { status });
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: injectTraceHeaders({ ...this.headers }),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.ok) {
      await response.arrayBuffer(); // release the connection
      return;
    }
    const text = await response.text().catch(() => '');
    throw new RegistryHttpError(response.status, `registry ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  }
}
