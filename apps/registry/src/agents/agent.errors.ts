import { DomainException } from '@app/common';

export const AgentErrorCode = {
  AGENT_NOT_FOUND: 'AGENT_NOT_FOUND',
  DUPLICATE_CAPABILITY: 'DUPLICATE_CAPABILITY',
  EMPTY_LOAD_REPORT: 'EMPTY_LOAD_REPORT',
} as const;

export function agentNotFound(agentId: string): DomainException {
  return new DomainException(
    'not_found',
    AgentErrorCode.AGENT_NOT_FOUND,
    `agent_id: agent ${agentId} is not registered`,
  );
}
