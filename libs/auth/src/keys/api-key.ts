import { hash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'ea_';

/**
 * A new key: 32 random bytes (256 bits) in base64url behind a recognisable prefix. With that much
 * entropy a plain SHA-256 is a safe stored form (no dictionary to try; a slow KDF would add
 * latency to every request for nothing).
 */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Once per authenticated request: the one-shot hash costs half of a Hash object (measured, Node 20). */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** First characters of a key, stored to tell keys apart in listings without revealing them. */
export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}

/** JWTs have three dot-separated base64url parts; our keys have none. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
