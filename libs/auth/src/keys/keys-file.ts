/** One entry of AUTH_KEYS_FILE / .expert-agents/credentials.json. */
export interface KeysFileEntry {
  name: string;
  key: string;
  scopes: string[];
  agent_ids?: string[];
}

/** Parses `{"keys":[{name, key, scopes?, agent_ids?}]}`; a bad file stops start-up naming the entry. */
export function parseKeysFile(text: string, path: string): KeysFileEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`AUTH_KEYS_FILE ${path}: not JSON (${(error as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new Error(`AUTH_KEYS_FILE ${path}: expected {"keys": [...]}`);
  return keys.map((raw: unknown, i) => {
    const e = raw as Record<string, unknown>;
    const where = `AUTH_KEYS_FILE ${path}: keys[${i}]`;
    if (typeof e.name !== 'string' || e.name === '') throw new Error(`${where}.name must be a non-empty string`);
    if (typeof e.key !== 'string' || e.key.length < 24) throw new Error(`${where}.key must be at least 24 characters`);
    const strings = (v: unknown, field: string): string[] | undefined => {
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
        throw new Error(`${where}.${field} must be strings`);
      return v as string[];
    };
    return {
      name: e.name,
      key: e.key,
      scopes: strings(e.scopes, 'scopes') ?? [],
      agent_ids: strings(e.agent_ids, 'agent_ids'),
    };
  });
}
