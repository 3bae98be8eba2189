import type { TokenUsage } from '../providers/model-provider';

/** What the agent host persists in `agent_state.state` and restores on restart. */
export interface AgentState {
  version: 1;
  tasks_completed: number;
  tasks_failed: number;
  tasks_canceled: number;
  usage: TokenUsage;
  /** Most recent first, bounded. */
  recent_task_ids: string[];
  last_task_at: string | null;
  /** Free-form memory an agent keeps between tasks (JSON values only). */
  notes: Record<string, unknown>;
}

export const MAX_RECENT_TASKS = 50;

export function emptyState(): AgentState {
  return {
    version: 1,
    tasks_completed: 0,
    tasks_failed: 0,
    tasks_canceled: 0,
    usage: { input_tokens: 0, output_tokens: 0 },
    recent_task_ids: [],
    last_task_at: null,
    notes: {},
  };
}

const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;

/**
 * Reads a stored state leniently: a damaged row must not stop a host from starting, so bad
 * fields fall back to empty values and are reported as warnings.
 */
export function parseState(stored: unknown): { state: AgentState; warnings: string[] } {
  const state = emptyState();
  const warnings: string[] = [];
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    return { state, warnings: ['stored state is not an object; starting empty'] };
  }
  const s = stored as Record<string, unknown>;
  if (s.version !== 1)
    warnings.push(`unknown state version ${JSON.stringify(s.version)}; reading what matches version 1`);
  for (const key of ['tasks_completed', 'tasks_failed', 'tasks_canceled'] as const) {
    const n = count(s[key]);
    if (n === undefined && s[key] !== undefined) warnings.push(`${key} is not a non-negative integer; reset to 0`);
    state[key] = n ?? 0;
  }
  const usage = s.usage as Record<string, unknown> | undefined;
  state.usage = { input_tokens: count(usage?.input_tokens) ?? 0, output_tokens: count(usage?.output_tokens) ?? 0 };
  if (Array.isArray(s.recent_task_ids)) {
    state.recent_task_ids = s.recent_task_ids
      .filter((x): x is string => typeof x === 'string')
      .slice(0, MAX_RECENT_TASKS);
  } else if (s.recent_task_ids !== undefined) warnings.push('recent_task_ids is not a list; reset');
  if (typeof s.last_task_at === 'string' && !Number.isNaN(Date.parse(s.last_task_at)))
    state.last_task_at = s.last_task_at;
  if (typeof s.notes === 'object' && s.notes !== null && !Array.isArray(s.notes))
    state.notes = { ...(s.notes as Record<string, unknown>) };
  else if (s.notes !== undefined) warnings.push('notes is not an object; reset');
  return { state, warnings };
}
