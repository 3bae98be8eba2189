import { Assignment } from '@app/contracts';
import { resolvePath } from '../expressions';

/** Resolves an assignment's paths; a string is the reason it resolved to nobody. */
export function resolveAssignment(assign: Assignment, scope: unknown): Assignment | string {
  const out: Assignment = {};
  for (const key of ['agent_id', 'role', 'capability'] as const) {
    const raw = assign[key];
    if (raw === undefined) continue;
    const value = typeof raw === 'string' && raw.startsWith('$.') ? resolvePath(scope, raw) : raw;
    if (typeof value === 'string' && value !== '') out[key] = value;
  }
  if (assign.min_proficiency !== undefined) out.min_proficiency = assign.min_proficiency;
  if (out.agent_id === undefined && out.role === undefined && out.capability === undefined) {
    return `assignment ${JSON.stringify(assign)} resolved to no agent, role or capability`;
  }
  return out;
}
