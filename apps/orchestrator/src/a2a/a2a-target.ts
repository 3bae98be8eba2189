import type { Message } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { AGENT_ROLES, ALL_CAPABILITIES, findAgent, TEAM_SCOPE } from '@app/agents';
import { CreateTaskDto } from '../tasks/dto/create-task.dto';

/** What one new A2A task becomes: a workflow run or one of our tasks (see docs/decisions/0100). */
export type A2aTarget =
  { kind: 'workflow_run'; workflow: string; input: Record<string, unknown> } | { kind: 'task'; dto: CreateTaskDto };

/** The capabilities of an agent an A2A request may name: a catalog agent, or (given) a registered remote one. */
export type AgentLookup = (agentId: string) => readonly { capability: string }[] | undefined;

export const catalogLookup: AgentLookup = (agentId) => findAgent(agentId)?.capabilities;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text parts joined, and the data parts merged (later keys win) into one input object. */
export function messageContent(message: Message): { text: string; data: Record<string, unknown> } {
  const texts: string[] = [];
  const data: Record<string, unknown> = {};
  const files: string[] = [];
  for (const part of message.parts ?? []) {
    const content = part.content;
    if (content?.$case === 'text') texts.push(content.value);
    else if (content?.$case === 'data') {
      if (isObject(content.value)) Object.assign(data, content.value);
      else data.data = content.value;
    } else if (content?.$case === 'url') files.push(content.value);
    else if (content?.$case === 'raw')
      throw new RequestMalformedError(
        'message.parts: raw (file bytes) parts are not accepted; send a url or data part',
      );
  }
  if (files.length > 0) data.files = files;
  return { text: texts.join('\n').trim(), data };
}

function str(meta: Record<string, unknown>, key: string): string | undefined {
  const v = meta[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new RequestMalformedError(`metadata.${key} must be a string`);
  return v;
}

/**
 * Message metadata (or the request's metadata) chooses the target: `skill` = a workflow name or a
 * role; `agent_id`, `role`, `capability` (+ `min_proficiency`) as in POST /api/tasks. Without any,
 * the team endpoint gives the task to PM-001; an agent's endpoint always targets that agent.
 */
export function resolveTarget(
  scope: string,
  message: Message,
  requestMetadata: Record<string, unknown> | undefined,
  workflows: ReadonlyMap<string, { required: string[] }>,
  agents: AgentLookup = catalogLookup,
): A2aTarget {
  const meta = { ...(requestMetadata ?? {}), ...(message.metadata ?? {}) };
  const { text, data } = messageContent(message);
  if (text === '' && Object.keys(data).length === 0)
    throw new RequestMalformedError('message.parts: a text or data part is required');
  const skill = str(meta, 'skill');
  const title = (text.split('\n')[0] || str(meta, 'title') || 'A2A task').slice(0, 500);
  const input: Record<string, unknown> = { ...data, ...(text ? { text } : {}) };
  if (scope !== TEAM_SCOPE) {
    if (skill !== undefined && !(agents(scope) ?? []).some((c) => c.capability === skill))
      throw new RequestMalformedError(`metadata.skill: ${scope} has no skill "${skill}"`);
    return {
      kind: 'task',
      dto: { title, description: text, input, agent_id: scope },
    };
  }
  if (skill !== undefined && workflows.has(skill)) {
    const missing = workflows.get(skill)!.required.filter((f) => data[f] === undefined || data[f] === null);
    if (missing.length > 0)
      throw new RequestMalformedError(
        `message.parts: workflow ${skill} needs ${missing.map((f) => `"${f}"`).join(', ')} in a data part`,
      );
    return { kind: 'workflow_run', workflow: skill, input: data };
  }
  const agentId = str(meta, 'agent_id');
  let role = str(meta, 'role');
  const capability = str(meta, 'capability');
  if (skill !== undefined) {
    if (!(AGENT_ROLES as readonly string[]).includes(skill))
      throw new RequestMalformedError(`metadata.skill: no skill "${skill}" (a workflow name or a role)`);
    role = skill;
  }
  if (agentId !== undefined && !agents(agentId))
    throw new RequestMalformedError(`metadata.agent_id: no agent ${agentId}`);
  if (role !== undefined && !(AGENT_ROLES as readonly string[]).includes(role))
    throw new RequestMalformedError(`metadata.role: no role "${role}"`);
  if (capability !== undefined && !ALL_CAPABILITIES.has(capability))
    throw new RequestMalformedError(`metadata.capability: no capability "${capability}"`);
  if (agentId !== undefined && (role !== undefined || capability !== undefined))
    throw new RequestMalformedError('metadata.agent_id: give either agent_id or role/capability, not both');
  const minProficiency: unknown = meta.min_proficiency;
  if (minProficiency !== undefined && (!Number.isInteger(minProficiency) || capability === undefined))
    throw new RequestMalformedError('metadata.min_proficiency: an integer 1-10, only with capability');
  const target =
    (agentId ?? role ?? capability) ? { agent_id: agentId, role, capability } : { agent_id: 'PM-001' as string };
  return {
    kind: 'task',
    dto: {
      title,
      description: text,
      input,
      ...target,
      ...(minProficiency !== undefined ? { min_proficiency: minProficiency as number } : {}),
    },
  };
}
