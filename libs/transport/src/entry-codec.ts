import { checkEnvelope, TransportEnvelope } from './envelope';
import { parseUntrustedJson } from './json-safety';

/** The one field of a stream entry that holds the JSON envelope. */
export const ENVELOPE_FIELD = 'envelope';

/** `rejected`: an event handler refused the message deliberately (4xx-like), so retrying is pointless. */
export type DeadLetterReason =
  'malformed_json' | 'invalid_envelope' | 'unknown_pattern' | 'max_deliveries' | 'rejected' | 'unauthenticated';

export type DecodedEntry =
  { ok: true; envelope: TransportEnvelope } | { ok: false; reason: DeadLetterReason; error: string };

/** ioredis returns entry fields as a flat [k1, v1, k2, v2, ...] array. */
export function fieldsToRecord(fields: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  return record;
}

export function encodeEnvelope(envelope: TransportEnvelope): string[] {
  return [ENVELOPE_FIELD, JSON.stringify(envelope)];
}

/** Deepest envelope JSON decoded (the envelope itself is 1, its payload 2); checked before parsing. */
export const DEFAULT_MAX_ENVELOPE_DEPTH = 66;

/** Never throws: anything a producer could have written maps to an envelope or a dead-letter reason. */
export function decodeEntry(fields: Record<string, string>, maxDepth = DEFAULT_MAX_ENVELOPE_DEPTH): DecodedEntry {
  const raw = fields[ENVELOPE_FIELD];
  if (raw === undefined)
    return { ok: false, reason: 'invalid_envelope', error: `entry has no "${ENVELOPE_FIELD}" field` };
  const parsed = parseUntrustedJson(raw, maxDepth);
  if (!parsed.ok) {
    const reason = parsed.malformed ? 'malformed_json' : 'invalid_envelope';
    return { ok: false, reason, error: `envelope: ${parsed.error}` };
  }
  const checked = checkEnvelope(parsed.value);
  if (!checked.ok) return { ok: false, reason: 'invalid_envelope', error: checked.errors.join('; ') };
  return { ok: true, envelope: checked.envelope };
}

/** A dead-lettered entry as stored: the original fields verbatim plus why, when and after how many attempts. */
export interface DeadLetterEntry {
  /** Id in the dead-letter stream. */
  id: string;
  address: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  source_id: string;
  consumer: string;
  dead_lettered_at: string;
  message_type: string | null;
  /** The original entry's fields (the envelope JSON as written, even when malformed). */
  original: Record<string, string>;
}

export function encodeDeadLetter(entry: Omit<DeadLetterEntry, 'id'>): string[] {
  return [
    'address', entry.address,
    'reason', entry.reason,
    'error', entry.error,
    'attempts', String(entry.attempts),
    'source_id', entry.source_id,
    'consumer', entry.consumer,
    'dead_lettered_at', entry.dead_lettered_at,
    'message_type', entry.message_type ?? '',
    'original', JSON.stringify(entry.original),
  ]; // prettier-ignore
}

export function decodeDeadLetter(id: string, fields: Record<string, string>): DeadLetterEntry {
  let original: Record<string, string> = {};
  try {
    original = JSON.parse(fields.original ?? '{}') as Record<string, string>;
  } catch {
    original = {};
  }
  return {
    id,
    address: fields.address ?? '',
    reason: (fields.reason ?? 'invalid_envelope') as DeadLetterReason,
    error: fields.error ?? '',
    attempts: Number(fields.attempts ?? 0),
    source_id: fields.source_id ?? '',
    consumer: fields.consumer ?? '',
    dead_lettered_at: fields.dead_lettered_at ?? '',
    message_type: fields.message_type ? fields.message_type : null,
    original,
  };
}

/** Reply entry on a client's reply stream. */
export interface ReplyBody {
  /** The request envelope's id (unique per call, unlike a business correlation id). */
  request_id: string;
  correlation_id: string;
  err?: unknown;
  values?: unknown[];
}
