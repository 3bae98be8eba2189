import { AgentCapability } from '../catalog.types';

/** `{ api_design: 9 }` → `[{ capability: 'api_design', proficiency_level: 9 }]`, keeping entries readable. */
export function caps(levels: Record<string, number>): AgentCapability[] {
  return Object.entries(levels).map(([capability, proficiency_level]) => ({ capability, proficiency_level }));
}
