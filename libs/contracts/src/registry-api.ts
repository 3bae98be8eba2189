/**
 * The registry's HTTP API as the processes that call it see it (agent hosts register and report load, the
 * orchestrator discovers). Declared once here: the registry's DTO classes implement the request shapes and its
 * views are these answer shapes, so a change on one side fails to compile on the other; the orchestrator reads
 * answers through the compiled checks below instead of casting them.
 */
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export const AGENT_STATUSES = ['online', 'offline', 'busy', 'error'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface AgentCapability {
  capability: string;
  proficiency_level: number;
}

/** `POST /api/agents/register` (fields the registry defaults are optional). */
export interface AgentRegistration {
  agent_id: string;
  name: string;
  role: string;
  host: string;
  port: number;
  metadata?: Record<string, unknown>;
  capabilities?: AgentCapability[];
  max_tasks?: number;
}

/** `POST /api/agents/{id}/load` (and the load fields of a heartbeat). */
export interface AgentLoadReport {
  current_tasks?: number;
  max_tasks?: number;
  task_duration_sec?: number;
}

/** One agent as `GET /api/agents/{id}` and the listings answer. */
export interface AgentView {
  agent_id: string;
  name: string;
  role: string;
  status: AgentStatus;
  host: string | null;
  port: number | null;
  last_heartbeat: string | null;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  capabilities: AgentCapability[];
  load: {
    current_tasks: number;
    max_tasks: number;
    load_percentage: number;
    avg_task_duration_sec: number | null;
    total_tasks_completed: number;
  };
}

/** One agent of a discovery answer, least loaded (or most proficient) first. */
export interface RankedAgent {
  agent_id: string;
  name: string;
  role: string;
  current_tasks: number;
  max_tasks: number;
  load_percentage: number;
  proficiency_level?: number;
}

/** `GET /api/agents/discover/{role}` and `GET /api/agents/discover?capability=`. */
export interface DiscoveryAnswer {
  agents: RankedAgent[];
  available_count: number;
}

/** What routing needs of an agent: who, and how busy. */
export interface AgentLoad {
  agent_id: string;
  current_tasks: number;
  max_tasks: number;
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function loadOf(agentId: unknown, current: unknown, max: unknown): AgentLoad | undefined {
  if (!isString(agentId) || !count(current) || !count(max)) return undefined;
  return { agent_id: agentId, current_tasks: current, max_tasks: max };
}

/** The agents of a discovery answer, or undefined when the body is not one (an entry that is not is left out). */
export function readDiscoveryAnswer(body: unknown): AgentLoad[] | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.agents)) return undefined;
  const agents: AgentLoad[] = [];
  for (const a of body.agents as unknown[]) {
    const load = isPlainObject(a) ? loadOf(a.agent_id, a.current_tasks, a.max_tasks) : undefined;
    if (load) agents.push(load);
  }
  return agents;
}

/** The load of one agent from `GET /api/agents/{id}`, or undefined when the body is not an agent view. */
export function readAgentAnswer(body: unknown): AgentLoad | undefined {
  if (!isPlainObject(body) || !isPlainObject(body.load)) return undefined;
  return loadOf(body.agent_id, body.load.current_tasks, body.load.max_tasks);
}
