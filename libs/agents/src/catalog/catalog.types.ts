import { OutputKind } from '../outputs/output-kinds';
import { AgentRole } from './roles';

export interface AgentCapability {
  /** snake_case, e.g. `cardiology`, `api_design`. */
  capability: string;
  /** 1–10. */
  proficiency_level: number;
}

/** One catalog entry: the seed's agent metadata plus what the runtime needs to execute it. */
export interface AgentDefinition {
  agent_id: string;
  name: string;
  role: AgentRole;
  experience_years: number;
  technologies: readonly string[];
  specializations: readonly string[];
  pros: readonly string[];
  cons: readonly string[];
  max_concurrent_tasks: number;
  capabilities: readonly AgentCapability[];
  output_kind: OutputKind;
  system_prompt: string;
}

/** What an entry file writes: the prompt is the expert persona; the output contract is appended. */
export type AgentSeed = Omit<AgentDefinition, 'system_prompt'> & { persona: string };
