/**
 * `npm start`'s local credentials: on first start writes .expert-agents/credentials.json (mode
 * 0600, git-ignored) in the AUTH_KEYS_FILE format: an `operator` key with every scope, an
 * `orchestrator` key for discovery at the registry, an `agent-host-all` key bound to every agent, and
 * one key per agent-host role group bound to that role's agent ids (a file from an older start gains
 * the keys it lacks). Prints the operator key once. Later starts reuse the file.
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register scripts/dev-credentials.ts <file> <role>...
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AGENT_CATALOG } from '@app/agents';
import { generateApiKey } from '@app/auth';

interface Key {
  name: string;
  key: string;
  scopes: string[];
  agent_ids?: string[];
}

const [file, ...roles] = process.argv.slice(2);
if (!file) throw new Error('usage: dev-credentials.ts <file> <role>...');

// Every key npm start can hand out: one host for all agents (the default) or one per role group.
const wanted = (): Key[] => [
  { name: 'operator', key: generateApiKey(), scopes: ['*'] },
  { name: 'orchestrator', key: generateApiKey(), scopes: ['registry:read'] },
  { name: 'agent-host-all', key: generateApiKey(), scopes: [], agent_ids: AGENT_CATALOG.map((a) => a.agent_id) },
  ...roles.map((role) => ({
    name: `agent-host-${role}`,
    key: generateApiKey(),
    scopes: [] as string[],
    agent_ids: AGENT_CATALOG.filter((a) => a.role === role).map((a) => a.agent_id),
  })),
];

const created = !existsSync(file);
const keys: Key[] = created ? [] : (JSON.parse(readFileSync(file, 'utf8')) as { keys: Key[] }).keys;
// A file from an older start keeps its keys and gains the ones it lacks.
const missing = wanted().filter((k) => !keys.some((have) => have.name === k.name));
if (missing.length === 0) process.exit(0);
keys.push(...missing);
mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
writeFileSync(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
if (created)
  process.stderr.write(
    `\nCreated local credentials in ${file} (mode 0600, git-ignored).\n` +
      `Operator key (shown once; the CLI and npm run demo read it from the file):\n\n  ${keys[0].key}\n\n` +
      `Use it as "Authorization: Bearer <key>" (Swagger UI: the Authorize button).\n\n`,
  );
