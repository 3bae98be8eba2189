import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@app/auth';

/** A provisioning file with one `*` key for the load generator (apps run as in production: auth on). */
export function benchCredentials(): { keysFile: string; key: string; headers: Record<string, string> } {
  const key = generateApiKey();
  const dir = mkdtempSync(join(tmpdir(), 'ea-bench-'));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify({ keys: [{ name: 'bench', key, scopes: ['*'] }] }), { mode: 0o600 });
  return { keysFile, key, headers: { authorization: `Bearer ${key}` } };
}

/**
 * The environment of an app under test with auth on (a provisioned keys file) or off (disabled). NODE_ENV stays
 * development on both sides so that only auth differs (production also asks for the A2A public URLs).
 */
export function authEnv(on: boolean, keysFile: string): Record<string, string> {
  if (!on) return { NODE_ENV: 'development', AUTH_MODE: 'disabled' };
  // One credential drives the whole load: the limits stay on (their Redis round trip is part of the cost) but high.
  return {
    NODE_ENV: 'development',
    AUTH_MODE: 'on',
    AUTH_KEYS_FILE: keysFile,
    AUTH_RATE_LIMIT_PER_MINUTE: '10000000',
    AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE: '10000000',
  };
}
