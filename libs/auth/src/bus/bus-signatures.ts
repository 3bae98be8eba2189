import type { TransportEnvelope } from '@app/transport';
import { verifyEnvelopeSignature } from '@app/transport';
import { AuditService } from '../audit/audit.service';
import { hashApiKey } from '../keys/api-key';
import { ApiKeysService } from '../keys/api-keys.service';

/**
 * The signing material of an agent host: its key's row id names the signer, the SHA-256 of the
 * key (what the database stores) is the HMAC secret. Undefined when the key is unknown.
 */
export async function hostSigner(
  keys: ApiKeysService,
  apiKey: string,
): Promise<{ keyId: string; secret: string; agentIds: string[] } | undefined> {
  const hash = hashApiKey(apiKey);
  const row = await keys.lookup(hash);
  if (!row || row.revoked_at !== null) return undefined;
  return { keyId: row.id, secret: hash, agentIds: row.agent_ids ?? [] };
}

/**
 * Checks an agent report on the results stream: signed by a live key, the signature valid, and
 * the key bound to the agent the report speaks for. Returns the reason to refuse, or undefined.
 * Every refusal is audited; the transport dead-letters the entry as `unauthenticated`.
 */
export function resultsAuthenticator(keys: ApiKeysService, audit: AuditService) {
  return async (envelope: TransportEnvelope): Promise<string | undefined> => {
    const reason = await refusal(keys, envelope);
    if (reason !== undefined) {
      const payload = envelope.payload as { task_id?: unknown; agent_id?: unknown } | null;
      await audit.recordQuietly({
        action: `bus ${envelope.message_type}`,
        resource: typeof payload?.task_id === 'string' ? `task:${payload.task_id}` : null,
        requestId: envelope.id,
        outcome: 'unauthenticated',
        detail: {
          reason,
          from_agent: envelope.from_agent,
          agent_id: payload?.agent_id ?? null,
          signer: envelope.signer ?? null,
        },
      });
    }
    return reason;
  };
}

async function refusal(keys: ApiKeysService, envelope: TransportEnvelope): Promise<string | undefined> {
  if (envelope.signer === undefined || envelope.sig === undefined) return 'unsigned envelope';
  const row = await keys.usableById(envelope.signer);
  if (!row) return `signer ${envelope.signer} is not a live credential`;
  if (!verifyEnvelopeSignature(envelope, row.key_hash)) return 'signature does not match';
  const agentId = (envelope.payload as { agent_id?: unknown } | null)?.agent_id;
  if (typeof agentId !== 'string' || !(row.agent_ids ?? []).includes(agentId)) {
    return `signer ${row.name} is not bound to agent ${String(agentId)}`;
  }
  return undefined;
}
