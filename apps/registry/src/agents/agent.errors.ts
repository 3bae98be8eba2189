import { DomainException } from '@app/edge';

export const AgentErrorCode = {
  AGENT_NOT_FOUND: 'AGENT_NOT_FOUND',
  DUPLICATE_CAPABILITY: 'DUPLICATE_CAPABILITY',
  EMPTY_LOAD_REPORT: 'EMPTY_LOAD_REPORT',
  METADATA_TOO_LARGE: 'METADATA_TOO_LARGE',
} as const;

/** AGENT_METADATA_MAX_BYTES: metadata is free-form JSON stored per agent and sent with every listing. */
export function assertMetadataWithinLimit(metadata: unknown, maxBytes: number): void {
  if (metadata === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > maxBytes) {
    throw new DomainException(
      'invalid',
      AgentErrorCode.METADATA_TOO_LARGE,
      `metadata: is ${bytes} bytes as JSON; at most ${maxBytes} are accepted`,
    );
  }
}

export function agentNotFound(agentId: string): DomainException {
  return new DomainException(
    'not_found',
    AgentErrorCode.AGENT_NOT_FOUND,
    `agent_id: agent ${agentId} is not registered`,
  );
}
