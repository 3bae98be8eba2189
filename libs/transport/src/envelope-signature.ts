import { createHmac, createSecretKey, hash, KeyObject, timingSafeEqual } from 'node:crypto';
import type { TransportEnvelope } from './envelope';

/** Who signs: the id of the credential and the secret derived from it (both sides can compute it). */
export interface EnvelopeSigner {
  keyId: string;
  secret: string;
}

/**
 * The signed bytes: every field that decides what the message means, and a digest of the
 * payload as JSON. The payload survives the stream as JSON, so JSON.stringify of the decoded
 * payload gives the sender's bytes back (same key order, same numbers).
 */
function canonical(e: TransportEnvelope): string {
  // One-shot hash: this runs for every agent report the orchestrator checks (half the cost of a Hash object).
  const payload = hash('sha256', JSON.stringify(e.payload) ?? '', 'base64url');
  return ['ea-bus-v1', e.id, e.message_type, e.from_agent, e.to_agent, e.correlation_id, e.timestamp, payload].join(
    '\n',
  );
}

// Secrets as key objects, made once: an HMAC from a KeyObject skips converting the string per message (~20%).
const keys = new Map<string, KeyObject>();

function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 1_000) keys.clear(); // a few signers per process; bounded anyway
    keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  }
  return key;
}

function mac(e: TransportEnvelope, secret: string): string {
  return createHmac('sha256', keyOf(secret)).update(canonical(e)).digest('base64url');
}

/** Adds `signer` and `sig` (HMAC-SHA256) to an envelope about to be written. */
export function signEnvelope(envelope: TransportEnvelope, signer: EnvelopeSigner): TransportEnvelope {
  envelope.signer = signer.keyId;
  envelope.sig = mac(envelope, signer.secret);
  return envelope;
}

/** True when `sig` is this secret's HMAC of the envelope (constant-time comparison). */
export function verifyEnvelopeSignature(envelope: TransportEnvelope, secret: string): boolean {
  if (typeof envelope.sig !== 'string') return false;
  const expected = Buffer.from(mac(envelope, secret));
  const given = Buffer.from(envelope.sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
