import { findAgent } from '@app/agents';
import { DomainException } from '@app/edge';
import type { RegisterAgentDto } from './dto/register-agent.dto';

/**
 * A host may (re-)register a catalog agent only as the catalog describes it: same role, same
 * capabilities and proficiencies. Otherwise a bound host could widen what discovery routes to
 * it. Registry administrators may still register anything (ad-hoc and test agents).
 */
export function checkAgainstCatalog(dto: RegisterAgentDto): void {
  const def = findAgent(dto.agent_id);
  if (!def) return;
  if (dto.role !== def.role) {
    throw new DomainException('invalid', 'CATALOG_MISMATCH', `role: ${dto.agent_id} is a ${def.role} in the catalog`);
  }
  const catalog = new Map(def.capabilities.map((c) => [c.capability, c.proficiency_level]));
  (dto.capabilities ?? []).forEach((c, i) => {
    const level = catalog.get(c.capability);
    if (level === undefined || level !== c.proficiency_level) {
      throw new DomainException(
        'invalid',
        'CATALOG_MISMATCH',
        `capabilities.${i}: ${dto.agent_id} has ${level === undefined ? 'no' : `proficiency ${level} for`} "${c.capability}" in the catalog`,
      );
    }
  });
}
