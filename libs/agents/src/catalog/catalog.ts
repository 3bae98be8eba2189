import { OutputKind } from '../outputs/output-kinds';
import { AgentDefinition, AgentSeed } from './catalog.types';
import { AI_AGENTS } from './entries/ai.entries';
import { DEVELOPMENT_AGENTS } from './entries/development.entries';
import { MANAGEMENT_AGENTS } from './entries/management.entries';
import { MEDICAL_AGENTS } from './entries/medical.entries';
import { DEVOPS_AGENTS, QA_AGENTS } from './entries/operations.entries';
import { OUTPUT_CONTRACTS } from './output-contracts';
import { AGENT_ROLES } from './roles';

function define(seed: AgentSeed): AgentDefinition {
  const { persona, ...rest } = seed;
  return Object.freeze({
    ...rest,
    system_prompt: `${persona}\n\n${OUTPUT_CONTRACTS[seed.output_kind]}`,
  });
}

/** All 46 agents, in catalog order (PM, DEV, AI, DEVOPS, QA, MED). */
export const AGENT_CATALOG: readonly AgentDefinition[] = Object.freeze(
  [...MANAGEMENT_AGENTS, ...DEVELOPMENT_AGENTS, ...AI_AGENTS, ...DEVOPS_AGENTS, ...QA_AGENTS, ...MEDICAL_AGENTS].map(
    define,
  ),
);

const BY_ID = new Map(AGENT_CATALOG.map((a) => [a.agent_id, a]));

export const ALL_CAPABILITIES: ReadonlySet<string> = new Set(
  AGENT_CATALOG.flatMap((a) => a.capabilities.map((c) => c.capability)),
);

export function findAgent(agentId: string): AgentDefinition | undefined {
  return BY_ID.get(agentId);
}

export function getAgent(agentId: string): AgentDefinition {
  const agent = BY_ID.get(agentId);
  if (!agent) throw new UnknownAgentError(`unknown agent id "${agentId}"`);
  return agent;
}

/** Accepts any string so callers can pass unvalidated input (an unknown role yields []). */
export function agentsByRole(role: string): AgentDefinition[] {
  return AGENT_CATALOG.filter((a) => a.role === role);
}

/** Agents holding a capability, most proficient first (catalog order breaks ties). */
export function agentsByCapability(capability: string): AgentDefinition[] {
  const level = (a: AgentDefinition) => a.capabilities.find((c) => c.capability === capability)?.proficiency_level ?? 0;
  return AGENT_CATALOG.filter((a) => level(a) > 0).sort((x, y) => level(y) - level(x));
}

export function agentsByOutputKind(kind: OutputKind): AgentDefinition[] {
  return AGENT_CATALOG.filter((a) => a.output_kind === kind);
}

/** Medical specialty capabilities (e.g. `cardiology`): the first capability of each medical expert. */
export const MEDICAL_SPECIALTIES: readonly string[] = agentsByRole('medical_expert').map(
  (a) => a.capabilities[0].capability,
);

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * The specialty capability a free-text topic belongs to ("Cardiology: heart failure" → `cardiology`),
 * matching capability names, then specializations; undefined when nothing matches.
 */
export function specialtyForTopic(topic: string): string | undefined {
  const text = ` ${words(topic)} `;
  for (const specialty of MEDICAL_SPECIALTIES) {
    if (text.includes(` ${words(specialty)} `)) return specialty;
  }
  for (const agent of agentsByRole('medical_expert')) {
    const hit = [...agent.specializations, ...agent.capabilities.map((c) => c.capability)].some((s) =>
      text.includes(` ${words(s)} `),
    );
    if (hit) return agent.capabilities[0].capability;
  }
  return undefined;
}

export class UnknownAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownAgentError';
  }
}

/**
 * Parses an AGENT_IDS selector: `all`, `role:<role>`, or a comma-separated list of ids and
 * `role:` items. Throws UnknownAgentError naming every unknown id or role.
 */
export function parseAgentSelector(selector: string): AgentDefinition[] {
  const items = selector
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0)
    throw new UnknownAgentError('agent selector is empty: use "all", "role:<role>" or a list of agent ids');
  if (items.some((i) => i.toLowerCase() === 'all')) {
    if (items.length > 1) throw new UnknownAgentError('"all" cannot be combined with other agent selectors');
    return [...AGENT_CATALOG];
  }
  const picked = new Map<string, AgentDefinition>();
  const unknown: string[] = [];
  for (const item of items) {
    if (item.startsWith('role:')) {
      const role = item.slice('role:'.length);
      const agents = agentsByRole(role);
      if (agents.length === 0) unknown.push(`role "${role}" (known roles: ${AGENT_ROLES.join(', ')})`);
      agents.forEach((a) => picked.set(a.agent_id, a));
    } else {
      const agent = BY_ID.get(item) ?? BY_ID.get(item.toUpperCase());
      if (agent) picked.set(agent.agent_id, agent);
      else unknown.push(`agent id "${item}"`);
    }
  }
  if (unknown.length > 0) throw new UnknownAgentError(`unknown ${unknown.join(', ')}`);
  return [...picked.values()];
}
