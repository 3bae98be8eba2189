import type { AgentCard, AgentInterface, AgentSkill } from '@a2a-js/sdk';
import { AGENT_ROLES, CAPABILITY_OUTPUT_KIND, isOutputKind, OutputKind, skillProficiency } from '@app/agents';
import { DomainException } from '@app/edge';
import { CAPABILITY_MAX, ROLE_PATTERN } from '../agents/agent-validation';
import { RemoteErrorCode } from './card-fetcher';

/** Bindings the orchestrator's bridge can call through the SDK client (gRPC is not wired: docs/decisions/0102). */
export const CALLABLE_BINDINGS = ['JSONRPC', 'HTTP+JSON'] as const;

const DEFAULT_PROFICIENCY = 5;
const CAPABILITY_PATTERN = /^[a-z][a-z0-9_]*$/;

/** What we make of a remote agent's card: how to call it and what discovery routes to it. */
export interface RemoteProfile {
  card: AgentCard;
  /** The interface the bridge calls (the first one we speak, in the card's order of preference). */
  endpoint: Pick<AgentInterface, 'url' | 'protocolBinding' | 'protocolVersion' | 'tenant'>;
  role: string;
  capabilities: { capability: string; proficiency_level: number }[];
  output_kind: OutputKind;
  streaming: boolean;
}

export interface ProfileOptions {
  role?: string;
  defaultRole?: string;
  outputKind?: string;
  /** Skill id or tag → capability; the registration's entries win over the configured ones. */
  capabilityMap: Record<string, string>;
}

const invalid = (field: string, why: string) =>
  new DomainException('invalid', RemoteErrorCode.CARD_INVALID, `${field}: ${why}`);

/**
 * Validates a fetched card against the A2A v1.0 AgentCard fields we rely on (the SDK's types;
 * the spec where it says MUST) and derives role, capabilities and output kind. Every problem
 * names the card field, e.g. `card.skills[1].id: is required`.
 */
export function profileOf(raw: unknown, options: ProfileOptions): RemoteProfile {
  const card = checkCard(raw);
  const endpoint = card.supportedInterfaces.find((i) =>
    (CALLABLE_BINDINGS as readonly string[]).includes(i.protocolBinding.toUpperCase()),
  );
  if (!endpoint)
    throw invalid(
      'card.supportedInterfaces',
      `no interface with a binding we call (${CALLABLE_BINDINGS.join(', ')}); the card offers ${card.supportedInterfaces.map((i) => i.protocolBinding).join(', ')}`,
    );
  const capabilities = deriveCapabilities(card.skills, options.capabilityMap);
  return {
    card,
    endpoint: {
      url: endpoint.url,
      protocolBinding: endpoint.protocolBinding.toUpperCase(),
      protocolVersion: endpoint.protocolVersion,
      tenant: endpoint.tenant ?? '',
    },
    role: deriveRole(card.skills, options),
    capabilities,
    output_kind: deriveOutputKind(card.skills, capabilities, options.outputKind),
    streaming: card.capabilities?.streaming === true,
  };
}

function checkCard(raw: unknown): AgentCard {
  if (!isObject(raw)) throw invalid('card', 'is not a JSON object');
  requireString(raw, 'name', 'card.name', true);
  requireString(raw, 'description', 'card.description', false);
  requireString(raw, 'version', 'card.version', false);
  if (raw.capabilities !== undefined && !isObject(raw.capabilities))
    throw invalid('card.capabilities', 'must be an object');
  for (const modes of ['defaultInputModes', 'defaultOutputModes'])
    if (raw[modes] !== undefined && !isStringArray(raw[modes]))
      throw invalid(`card.${modes}`, 'must be a list of media types');
  if (!Array.isArray(raw.supportedInterfaces) || raw.supportedInterfaces.length === 0)
    throw invalid('card.supportedInterfaces', 'must list at least one interface (A2A v1.0)');
  raw.supportedInterfaces.forEach((i: unknown, n: number) => {
    const field = `card.supportedInterfaces[${n}]`;
    if (!isObject(i)) throw invalid(field, 'must be an object');
    requireString(i, 'url', `${field}.url`, true);
    requireString(i, 'protocolBinding', `${field}.protocolBinding`, true);
    requireString(i, 'protocolVersion', `${field}.protocolVersion`, true);
    if (!/^https?:\/\//i.test(i.url as string)) throw invalid(`${field}.url`, 'must be an absolute http(s) URL');
  });
  if (!Array.isArray(raw.skills) || raw.skills.length === 0)
    throw invalid('card.skills', 'must list at least one skill (they are what we route by)');
  raw.skills.forEach((s: unknown, n: number) => {
    const field = `card.skills[${n}]`;
    if (!isObject(s)) throw invalid(field, 'must be an object');
    requireString(s, 'id', `${field}.id`, true);
    requireString(s, 'name', `${field}.name`, true);
    requireString(s, 'description', `${field}.description`, false);
    if (!isStringArray(s.tags)) throw invalid(`${field}.tags`, 'must be a list of strings');
  });
  // Absent optional fields get the SDK's empty values, so the rest reads the card as the SDK types it.
  const defaults: Partial<AgentCard> = {
    capabilities: { extensions: [] },
    defaultInputModes: [],
    defaultOutputModes: [],
    securitySchemes: {},
    securityRequirements: [],
    signatures: [],
  };
  return Object.assign(defaults, raw) as AgentCard;
}

function deriveCapabilities(skills: AgentSkill[], map: Record<string, string>) {
  const byName = new Map<string, number>();
  for (const skill of skills) {
    const mapped = [skill.id, ...skill.tags].map((k) => map[k]).find((v) => v !== undefined);
    const capability = mapped ?? snake(skill.id);
    if (!CAPABILITY_PATTERN.test(capability) || capability.length > CAPABILITY_MAX) continue;
    const level = skillProficiency(skill) ?? DEFAULT_PROFICIENCY;
    byName.set(capability, Math.max(byName.get(capability) ?? 0, level));
  }
  if (byName.size === 0) throw invalid('card.skills', 'no skill maps to a capability (see A2A_REMOTE_CAPABILITY_MAP)');
  return [...byName].map(([capability, proficiency_level]) => ({ capability, proficiency_level }));
}

/** The registration's role, else one of our roles among the skills' tags, else the configured default. */
function deriveRole(skills: AgentSkill[], options: ProfileOptions): string {
  if (options.role !== undefined) return options.role;
  const tagged = new Set(skills.flatMap((s) => s.tags).filter((t) => (AGENT_ROLES as readonly string[]).includes(t)));
  if (tagged.size === 1) return [...tagged][0];
  if (options.defaultRole !== undefined && ROLE_PATTERN.test(options.defaultRole)) return options.defaultRole;
  throw invalid(
    'role',
    tagged.size > 1
      ? `the card's skills name several roles (${[...tagged].join(', ')}); give role`
      : 'the card names none of our roles; give role (or set A2A_REMOTE_DEFAULT_ROLE)',
  );
}

/**
 * What results are validated against: the registration's output_kind, else the `output:<kind>`
 * tags of the skills, else the deliverable kind of its capabilities (code_implementation →
 * code_change) — when they agree on one.
 */
function deriveOutputKind(
  skills: AgentSkill[],
  capabilities: { capability: string }[],
  given: string | undefined,
): OutputKind {
  if (given !== undefined) {
    if (!isOutputKind(given)) throw invalid('output_kind', `"${given}" is not an output kind`);
    return given;
  }
  const tagged = new Set(
    skills.flatMap((s) => s.tags.filter((t) => t.startsWith('output:')).map((t) => t.slice('output:'.length))),
  );
  const kinds =
    tagged.size > 0
      ? tagged
      : new Set(capabilities.map((c) => CAPABILITY_OUTPUT_KIND[c.capability]).filter((k) => k !== undefined));
  const [only] = [...kinds];
  if (kinds.size === 1 && isOutputKind(only)) return only;
  throw invalid(
    'output_kind',
    kinds.size > 1
      ? `the card's skills produce several kinds (${[...kinds].join(', ')}); give output_kind`
      : 'cannot tell what this agent produces; give output_kind',
  );
}

function snake(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function requireString(o: Record<string, unknown>, key: string, field: string, nonEmpty: boolean): void {
  const v = o[key];
  if (typeof v !== 'string') throw invalid(field, 'is required (a string)');
  if (nonEmpty && v.trim() === '') throw invalid(field, 'must not be empty');
}
