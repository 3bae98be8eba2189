import { AGENT_CATALOG, findAgent } from '../catalog/catalog';
import { AGENT_ROLES } from '../catalog/roles';

/**
 * A2A v1.0 agent cards in their JSON wire form, built from the catalog. No SDK types here: the
 * registry serves these as they are and the orchestrator parses them with the SDK.
 */
export type CardJson = Record<string, unknown>;

export const A2A_PROTOCOL_VERSION = '1.0';
export const A2A_CARD_VERSION = '1.0.0';
/** Where an agent's card, JSON-RPC and HTTP+JSON endpoints live under the orchestrator's origin. */
export const a2aPaths = {
  teamCard: '/.well-known/agent-card.json',
  agentCard: (agentId: string) => `/a2a/agents/${agentId}/agent-card.json`,
  jsonRpc: (scope: string) => (scope === TEAM_SCOPE ? '/a2a/jsonrpc' : `/a2a/agents/${scope}/jsonrpc`),
  rest: (scope: string) => (scope === TEAM_SCOPE ? '/a2a/rest' : `/a2a/agents/${scope}/rest`),
};
/** The scope of the team endpoint (PM-001 and the whole team); every other scope is an agent id. */
export const TEAM_SCOPE = 'team';

export interface WorkflowSummary {
  name: string;
  description: string;
  required_input: string[];
}

const PROFICIENCY_TAG = 'proficiency:';

/** Bearer, matching the Auth contract (API keys and OIDC JWTs in `Authorization: Bearer`). */
function security(): Pick<CardJson, 'securitySchemes' | 'securityRequirements'> {
  return {
    securitySchemes: {
      bearer: {
        httpAuthSecurityScheme: {
          scheme: 'Bearer',
          bearerFormat: 'API key or OIDC JWT',
          description: 'Authorization: Bearer <API key or OIDC access token>',
        },
      },
    },
    securityRequirements: [{ schemes: { bearer: { list: [] } } }],
  };
}

function interfaces(origin: string, scope: string): CardJson[] {
  return [
    { url: `${origin}${a2aPaths.jsonRpc(scope)}`, protocolBinding: 'JSONRPC', protocolVersion: A2A_PROTOCOL_VERSION },
    { url: `${origin}${a2aPaths.rest(scope)}`, protocolBinding: 'HTTP+JSON', protocolVersion: A2A_PROTOCOL_VERSION },
  ];
}

/** What a card needs of an agent: a catalog entry, or a registry row of any registered agent. */
export interface CardAgent {
  agent_id: string;
  name: string;
  role: string;
  capabilities: readonly { capability: string; proficiency_level: number }[];
  output_kind?: string;
}

/** One skill per capability; the proficiency (1-10) is kept as a tag, since skills have no metadata in v1.0. */
export function capabilitySkills(agent: CardAgent): CardJson[] {
  const output = agent.output_kind ?? 'result';
  return agent.capabilities.map((c) => ({
    id: c.capability,
    name: c.capability.replace(/_/g, ' '),
    description: `${agent.name}: ${c.capability.replace(/_/g, ' ')} (proficiency ${c.proficiency_level}/10), answers with a validated ${output}`,
    tags: [c.capability, agent.role, `${PROFICIENCY_TAG}${c.proficiency_level}`, `output:${output}`],
    examples: [],
    inputModes: ['text/plain', 'application/json'],
    outputModes: ['application/json'],
  }));
}

/** Reads the proficiency back from a skill's tags (undefined when absent). */
export function skillProficiency(skill: { tags?: unknown }): number | undefined {
  const tag = Array.isArray(skill.tags)
    ? skill.tags.find((t): t is string => typeof t === 'string' && t.startsWith(PROFICIENCY_TAG))
    : undefined;
  const n = tag ? Number(tag.slice(PROFICIENCY_TAG.length)) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

/** The card of one catalog agent, reachable through the orchestrator at `origin`. */
export function catalogAgentCard(agentId: string, origin: string): CardJson | undefined {
  const agent = findAgent(agentId);
  if (!agent) return undefined;
  return agentCard(
    agent,
    origin,
    `${agent.name}, ${agent.role.replace(/_/g, ' ')} (${agent.experience_years} years): ${agent.specializations.join(', ')}.`,
  );
}

/** The card of any agent (the registry's view of it), called through the orchestrator at `origin`. */
export function agentCard(agent: CardAgent, origin: string, about?: string): CardJson {
  return {
    name: `${agent.agent_id} ${agent.name}`,
    description: `${about ?? `${agent.name}, ${agent.role.replace(/_/g, ' ')}.`} Tasks are dispatched durably, retried on another attempt if the agent fails, and kept in history.`,
    supportedInterfaces: interfaces(origin, agent.agent_id),
    provider: { organization: 'expert-agents', url: origin },
    version: A2A_CARD_VERSION,
    documentationUrl: `${origin}/docs`,
    capabilities: { streaming: true, pushNotifications: true, extendedAgentCard: false },
    ...security(),
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['application/json', 'text/plain'],
    skills: capabilitySkills(agent),
  };
}

/** PM-001 and the team: the workflows, then one skill per role (routed to its least-loaded online agent). */
export function teamCard(origin: string, workflows: WorkflowSummary[]): CardJson {
  const roleSkills = AGENT_ROLES.map((role) => {
    const members = AGENT_CATALOG.filter((a) => a.role === role);
    const caps = [...new Set(members.flatMap((a) => a.capabilities.map((c) => c.capability)))];
    return {
      id: role,
      name: role.replace(/_/g, ' '),
      description: `A task for the least-loaded online ${role.replace(/_/g, ' ')} (${members.map((a) => a.agent_id).join(', ')}); capabilities: ${caps.join(', ')}`,
      tags: ['role', role, ...caps],
      examples: [],
      inputModes: ['text/plain', 'application/json'],
      outputModes: ['application/json'],
    };
  });
  const workflowSkills = workflows.map((w) => ({
    id: w.name,
    name: w.name.replace(/_/g, ' '),
    description: `${w.description} Required input (a data part): ${w.required_input.join(', ') || 'none'}.`,
    tags: ['workflow', w.name],
    examples: [],
    inputModes: ['application/json', 'text/plain'],
    outputModes: ['application/json'],
  }));
  return {
    name: 'expert-agents PM-001',
    description:
      'PM-001, the project manager of a team of 46 expert agents: send a message to run a workflow (skill id in message metadata "skill"), to give a task to a role, a capability or an agent (metadata "role", "capability", "agent_id"), or, with no metadata, to PM-001 itself.',
    supportedInterfaces: interfaces(origin, TEAM_SCOPE),
    provider: { organization: 'expert-agents', url: origin },
    version: A2A_CARD_VERSION,
    documentationUrl: `${origin}/docs`,
    capabilities: { streaming: true, pushNotifications: true, extendedAgentCard: true },
    ...security(),
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['application/json', 'text/plain'],
    skills: [...workflowSkills, ...roleSkills],
  };
}
