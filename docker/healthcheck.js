// Docker HEALTHCHECK: GET /health of whichever app this container runs (found among the processes' command lines).
'use strict';
const fs = require('node:fs');

const APPS = {
  registry: ['REGISTRY_PORT', 5100],
  orchestrator: ['ORCHESTRATOR_PORT', 5200],
  'agent-host': ['AGENT_HOST_PORT', 6000],
};

function runningApp() {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const app = Object.keys(APPS).find((name) => cmdline.includes(`dist/apps/${name}/`));
    if (app) return app;
  }
  return undefined;
}

const app = runningApp();
if (!app) process.exit(0); // the migration job or a shell: no HTTP server to check
const [portVar, defaultPort] = APPS[app];
const port = Number(process.env[portVar] || defaultPort);
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2500) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
