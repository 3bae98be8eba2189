import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { freePort } from '../orchestrator/support/system';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');

/** Runs a built app until it exits (or `ms` pass) and returns its exit code and what it wrote. */
function runUntilExit(
  app: string,
  env: Record<string, string>,
  ms = 45_000,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', AUTH_MODE: 'disabled', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('an app whose database does not exist (a configuration error, not an outage)', () => {
  const missing = new URL(TEST_DATABASE_URL);
  missing.pathname = `/ea_missing_${randomUUID().slice(0, 8)}`;

  it.each(['registry', 'orchestrator', 'agent-host'])(
    '%s stops at once with exit code 78 and names DATABASE_URL, without a stack trace',
    async (app) => {
      const port = String(await freePort());
      const { code, out } = await runUntilExit(app, {
        DATABASE_URL: missing.toString(),
        REDIS_URL: TEST_REDIS_URL,
        REGISTRY_PORT: port,
        ORCHESTRATOR_PORT: port,
        AGENT_HOST_PORT: port,
        REGISTRY_URL: 'http://127.0.0.1:9',
        AGENT_IDS: 'QA-001',
      });
      expect(code).toBe(78);
      expect(out).toContain(`DATABASE_URL: database "${missing.pathname.slice(1)}" does not exist`);
      expect(out).not.toMatch(/^\s+at /m);
    },
  );
});
