import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { REMOTE_METADATA_KEY, RemoteAgentMetadata } from '@app/contracts';
import { AgentsService } from '../agents/agents.service';
import { checkTargetUrl, fetchCard, FetchLimits, RemoteErrorCode } from './card-fetcher';
import { profileOf, RemoteProfile } from './card-profile';
import { RegisterRemoteAgentDto } from './dto/register-remote.dto';
import { RemoteAgentsRepository } from './remote-agents.repository';

/** Ids given to outside agents when the registration names none: EXT-001, EXT-002, ... */
export const REMOTE_ID_PREFIX = 'EXT';
const CAPABILITY_PATTERN = /^[a-z][a-z0-9_]{0,99}$/;

export interface RemoteRegistration {
  status: 'registered';
  agent_id: string;
  role: string;
  capabilities: { capability: string; proficiency_level: number }[];
  output_kind: string;
  endpoint: RemoteAgentMetadata['endpoint'];
}

/**
 * Registers an outside A2A agent from its card: fetched under the SSRF guard, validated, turned
 * into role, capabilities and output kind, stored as an ordinary agent whose metadata says how
 * to call it. From then on discovery, liveness and events treat it like one of ours.
 */
@Injectable()
export class RemoteAgentsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RemoteAgentsRepository,
    private readonly agents: AgentsService,
  ) {}

  get limits(): FetchLimits {
    const r = this.config.a2a.remote;
    return { allowPrivate: r.allowPrivate, timeoutMs: r.fetchTimeoutMs, maxBytes: r.cardMaxBytes };
  }

  async register(dto: RegisterRemoteAgentDto): Promise<RemoteRegistration> {
    const map = { ...this.config.a2a.remote.capabilityMap, ...this.checkMap(dto.capability_map) };
    const cardUrl = checkTargetUrl(dto.card_url, 'card_url', this.limits.allowPrivate).toString();
    const profile = profileOf(await fetchCard(cardUrl, this.limits), {
      role: dto.role,
      defaultRole: this.config.a2a.remote.defaultRole,
      outputKind: dto.output_kind,
      capabilityMap: map,
    });
    // The bridge will call this URL: it gets the same guard as the card's.
    const endpoint = checkTargetUrl(profile.endpoint.url, 'card.supportedInterfaces.url', this.limits.allowPrivate);
    const input = this.agents.registration({
      name: profile.card.name.slice(0, 255),
      role: profile.role,
      host: endpoint.hostname.slice(0, 255),
      port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
      metadata: {
        description: profile.card.description.slice(0, 2000),
        [REMOTE_METADATA_KEY]: this.metadata(cardUrl, profile),
      },
      capabilities: profile.capabilities,
      max_tasks: dto.max_tasks ?? this.config.a2a.remote.maxTasks,
    });
    const choice = dto.agent_id !== undefined ? { given: dto.agent_id } : { cardUrl, prefix: REMOTE_ID_PREFIX };
    const stored = await this.repository.register(choice, input);
    if ('refused' in stored) throw this.refusal(stored.refused, dto.agent_id);
    const agentId = stored.agentId;
    await this.agents.registered({ ...input, agentId }, stored.created);
    return {
      status: 'registered',
      agent_id: agentId,
      role: profile.role,
      capabilities: profile.capabilities,
      output_kind: profile.output_kind,
      endpoint: profile.endpoint,
    };
  }

  private refusal(reason: 'local' | 'exhausted', agentId: string | undefined): DomainException {
    // Never take over one of our own agents' ids.
    if (reason === 'local')
      return new DomainException(
        'conflict',
        RemoteErrorCode.REMOTE_AGENT_EXISTS,
        `agent_id: ${agentId} is registered and is not a remote agent`,
      );
    return new DomainException(
      'conflict',
      RemoteErrorCode.REMOTE_AGENT_EXISTS,
      `agent_id: every ${REMOTE_ID_PREFIX}-nnn id is taken; give agent_id`,
    );
  }

  private metadata(cardUrl: string, profile: RemoteProfile): RemoteAgentMetadata {
    return {
      card_url: cardUrl,
      endpoint: profile.endpoint,
      output_kind: profile.output_kind,
      streaming: profile.streaming,
      card_name: profile.card.name.slice(0, 255),
      card_version: profile.card.version.slice(0, 100),
      last_probe_at: new Date().toISOString(),
      last_probe_error: null,
    };
  }

  private checkMap(map: Record<string, unknown> | undefined): Record<string, string> {
    if (map === undefined) return {};
    for (const [key, value] of Object.entries(map))
      if (typeof value !== 'string' || !CAPABILITY_PATTERN.test(value))
        throw new DomainException(
          'invalid',
          'INVALID_CAPABILITY_MAP',
          `capability_map.${key}: must be a snake_case capability name`,
        );
    return map as Record<string, string>;
  }
}
