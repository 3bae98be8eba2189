import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The CLI's credential: EXPERT_AGENTS_API_KEY, else the `operator` key of the file `npm start`
 * wrote (.expert-agents/credentials.json, or EXPERT_AGENTS_CREDENTIALS). None → no header
 * (a server with AUTH_MODE=disabled still answers).
 */
export function cliApiKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.EXPERT_AGENTS_API_KEY) return env.EXPERT_AGENTS_API_KEY;
  const file = env.EXPERT_AGENTS_CREDENTIALS ?? join(process.cwd(), '.expert-agents', 'credentials.json');
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: { name: string; key: string }[] };
  return parsed.keys?.find((k) => k.name === 'operator')?.key;
}

let cached: Record<string, string> | undefined;
export function authHeaders(): Record<string, string> {
  if (cached === undefined) {
    const key = cliApiKey();
    cached = key ? { authorization: `Bearer ${key}` } : {};
  }
  return cached;
}
