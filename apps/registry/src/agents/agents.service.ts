import { Inject, Injectable } from '@nestjs/common';
import { AuditScope, AuditService } from '@app/auth';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AgentStatus, type DiscoveryAnswer } from '@app/contracts';
import { RegistryEventsService } from '../events/registry-events.service';
import { FreshnessStore } from '../freshness/freshness.store';
import { AgentDirectory } from './agent-directory.service';
import { agentNotFound, AgentErrorCode, assertMetadataWithinLimit } from './agent.errors';
import { AgentView, toAgentView } from './agent.view';
import { AgentsRepository, CandidateRow, LoadRow, RegisterInput } from './agents.repository';
import { DiscoveryCache } from './discovery-cache';
import { RankedAgent, rankByCapability, rankByLoad } from './discovery-ranking';
import { DiscoverByCapabilityQuery } from './dto/discover.query';
import { ListAgentsQuery } from './dto/list-agents.query';
import { RegisterAgentDto } from './dto/register-agent.dto';
import { ReportLoadDto } from './dto/report-load.dto';

/** A discovery answer: the contract in @app/contracts (registry-api). */
export type DiscoveryResult = DiscoveryAnswer;

@Injectable()
export class AgentsService {
  constructor(
    private readonly repository: AgentsRepository,
    private readonly directory: AgentDirectory,
    private readonly freshness: FreshnessStore,
    private readonly events: RegistryEventsService,
    private readonly discoveryCache: DiscoveryCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Registration, status and deregistration write the request's audit row in their transaction. */
  async register(dto: RegisterAgentDto, audit?: AuditScope): Promise<{ status: 'registered'; agent_id: string }> {
    const input = { ...this.registration(dto), agentId: dto.agent_id };
    const { created } = await this.audit.transaction(audit, async (tx) => {
      const done = await this.repository.register(input, tx);
      return { value: done, resource: `agent:${dto.agent_id}`, detail: { created: done.created } };
    });
    await this.registered(input, created);
    return { status: 'registered', agent_id: dto.agent_id };
  }

  /** A registration checked and turned into what the store writes (its id is added by whoever chooses it). */
  registration(dto: Omit<RegisterAgentDto, 'agent_id'>): Omit<RegisterInput, 'agentId'> {
    assertMetadataWithinLimit(dto.metadata, this.config.limits.agentMetadataMaxBytes);
    const capabilities = dto.capabilities ?? [];
    const seen = new Set<string>();
    capabilities.forEach((c, i) => {
      if (seen.has(c.capability)) {
        throw new DomainException(
          'invalid',
          AgentErrorCode.DUPLICATE_CAPABILITY,
          `capabilities.${i}.capability: "${c.capability}" is listed twice`,
        );
      }
      seen.add(c.capability);
    });
    return {
      name: dto.name,
      role: dto.role,
      host: dto.host,
      port: dto.port,
      metadata: dto.metadata ?? {},
      capabilities: capabilities.map((c) => ({ capability: c.capability, proficiency_level: c.proficiency_level })),
      maxTasks: dto.max_tasks,
      heartbeatAt: new Date(),
    };
  }

  /** What follows a committed registration: fresh liveness, the directory, discovery, the event. */
  async registered(input: RegisterInput, created: boolean): Promise<void> {
    await this.freshness.registered(input.agentId, input.heartbeatAt.getTime(), input.maxTasks !== undefined);
    this.directory.set(input.agentId, 'online');
    this.discoveryCache.clear();
    await this.events.publish('registered', input.agentId, {
      name: input.name,
      role: input.role,
      host: input.host,
      port: input.port,
      re_registered: !created,
      capabilities: input.capabilities.map((c) => c.capability),
    });
  }

  async get(agentId: string): Promise<AgentView> {
    const row = await this.repository.findOne(agentId);
    if (!row) throw agentNotFound(agentId);
    const fresh = await this.freshness.read([agentId]);
    return toAgentView(row, fresh.get(agentId));
  }

  async list(query: ListAgentsQuery): Promise<{ agents: AgentView[]; total: number }> {
    const { rows, total } = await this.repository.list({
      role: query.role,
      status: query.status,
      capability: query.capability,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    const fresh = await this.freshness.read(rows.map((r) => r.agent_id));
    return { agents: rows.map((r) => toAgentView(r, fresh.get(r.agent_id))), total };
  }

  async updateStatus(agentId: string, status: AgentStatus, audit?: AuditScope): Promise<{ status: 'updated' }> {
    if (audit) audit.resource = `agent:${agentId}`;
    const result = await this.audit.transaction(audit, async (tx) => {
      const done = await this.repository.updateStatus(agentId, status, tx);
      return { value: done, resource: done ? `agent:${agentId}` : undefined, detail: { status } };
    });
    if (!result) throw agentNotFound(agentId);
    this.directory.set(agentId, status);
    this.discoveryCache.clear();
    if (result.previous !== status) {
      await this.events.publish('status_changed', agentId, {
        role: result.role,
        previous: result.previous,
        status,
        reason: 'reported',
      });
    }
    return { status: 'updated' };
  }

  async deregister(agentId: string, audit?: AuditScope): Promise<{ status: 'deregistered'; agent_id: string }> {
    if (audit) audit.resource = `agent:${agentId}`;
    const deleted = await this.audit.transaction(audit, async (tx) => {
      const done = await this.repository.delete(agentId, tx);
      return { value: done, resource: done ? `agent:${agentId}` : undefined };
    });
    if (!deleted) throw agentNotFound(agentId);
    this.directory.forget(agentId);
    this.discoveryCache.clear();
    await this.freshness.forget(agentId);
    await this.events.publish('deregistered', agentId, { role: deleted.role });
    return { status: 'deregistered', agent_id: agentId };
  }

  async reportLoad(
    agentId: string,
    dto: ReportLoadDto,
  ): Promise<{ status: 'updated'; agent_id: string; load: LoadRow }> {
    if (dto.current_tasks === undefined && dto.max_tasks === undefined && dto.task_duration_sec === undefined) {
      throw new DomainException(
        'invalid',
        AgentErrorCode.EMPTY_LOAD_REPORT,
        'body: report at least one of current_tasks, max_tasks, task_duration_sec',
      );
    }
    const load = await this.repository.reportLoad(agentId, {
      currentTasks: dto.current_tasks,
      maxTasks: dto.max_tasks,
      taskDurationSec: dto.task_duration_sec,
    });
    if (!load) throw agentNotFound(agentId);
    this.discoveryCache.clear();
    await this.freshness.loadWritten(agentId, {
      currentTasks: dto.current_tasks !== undefined,
      maxTasks: dto.max_tasks !== undefined,
    });
    await this.events.publish('load_changed', agentId, { ...load, reason: 'reported' });
    return { status: 'updated', agent_id: agentId, load };
  }

  async discoverByRole(role: string, maxLoad?: number): Promise<DiscoveryResult> {
    return this.discoveryCache.get(`role:${JSON.stringify([role, maxLoad ?? null])}`, async () => {
      const candidates = await this.withFreshLoad(await this.repository.onlineByRole(role));
      return this.result(rankByLoad(candidates, maxLoad));
    });
  }

  async discoverByCapability(query: DiscoverByCapabilityQuery): Promise<DiscoveryResult> {
    const min = query.min_proficiency ?? 1;
    const key = `capability:${JSON.stringify([query.capability, min, query.role ?? null])}`;
    return this.discoveryCache.get(key, async () => {
      const rows = await this.repository.onlineByCapability(query.capability, min, query.role);
      return this.result(rankByCapability(await this.withFreshLoad(rows)));
    });
  }

  private async withFreshLoad(rows: CandidateRow[]): Promise<CandidateRow[]> {
    const fresh = await this.freshness.readLoad(rows.map((r) => r.agent_id));
    return rows.map((r) => {
      const f = fresh.get(r.agent_id);
      return { ...r, current_tasks: f?.currentTasks ?? r.current_tasks, max_tasks: f?.maxTasks ?? r.max_tasks };
    });
  }

  private result(agents: RankedAgent[]): DiscoveryResult {
    return { agents, available_count: agents.length };
  }
}
