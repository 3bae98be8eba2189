// compose only: writes the AUTH_KEYS_FILE the registry and the orchestrator read (the chart generates its own).
// Keys come from the environment (API_KEY_*; laptop defaults in docker-compose.yml, like POSTGRES_PASSWORD's);
// each host group's key is bound to the agent ids in AGENTS_<GROUP>. Plain Node, no dependencies.
'use strict';
const { writeFileSync, chownSync } = require('node:fs');

const file = process.env.AUTH_KEYS_FILE || '/run/expert-agents/keys.json';
const need = (name) => {
  const value = process.env[name];
  if (!value || value.length < 24) {
    process.stderr.write(`${name} must be set to a key of at least 24 characters\n`);
    process.exit(78);
  }
  return value;
};
const keys = [
  { name: 'operator', key: need('API_KEY_OPERATOR'), scopes: ['*'] },
  { name: 'orchestrator', key: need('API_KEY_ORCHESTRATOR'), scopes: ['registry:read'] },
];
for (const [name, value] of Object.entries(process.env)) {
  const group = /^AGENTS_([A-Z]+)$/.exec(name);
  if (!group) continue;
  keys.push({
    name: `agents-${group[1].toLowerCase()}`,
    key: need(`API_KEY_AGENTS_${group[1]}`),
    scopes: [],
    agent_ids: value.split(',').filter(Boolean),
  });
}
writeFileSync(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
chownSync(file, 1000, 1000); // the image's `node` user reads it
process.stdout.write(`wrote ${keys.length} keys to ${file}\n`);
