import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { freePort } from '../orchestrator/support/system';
import { deleteRedisKeys } from '../support/http-app';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');

/** A model provider that needs a key, without one: only a process that runs the model may refuse it. */
const OPENAI_WITHOUT_KEY = { MODEL_PROVIDER: 'openai', MODEL_NAME: 'gpt-4o-mini' };

/** Starts a built entry point with only PATH and `env` (never the caller's shell), collecting what it writes. */
function start(script: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, script, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', AUTH_MODE: 'disabled', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

function exitOf(child: ChildProcess, ms = 45_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const appMain = (app: string) => [join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js')];

describe('each built process validates only its own variables (docs/decisions/0161)', () => {
  it('a registry starts with MODEL_PROVIDER=openai and no key: it never reads MODEL_*', async () => {
    const port = await freePort();
    const prefix = `test:slices:${port}:`;
    const registry = start(appMain('registry'), {
      ...OPENAI_WITHOUT_KEY,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      REGISTRY_PORT: String(port),
      REGISTRY_REDIS_PREFIX: prefix,
    });
    try {
      let ready = false;
      for (let i = 0; i < 120 && !ready && registry.child.exitCode === null; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      expect({ ready, output: ready ? '' : registry.output() }).toEqual({ ready: true, output: '' });
    } finally {
      registry.child.kill('SIGTERM');
      await exitOf(registry.child);
      await deleteRedisKeys(prefix);
    }
  });

  it('an agent host, which runs the model, still stops with exit code 78 naming MODEL_API_KEY', async () => {
    const host = start(appMain('agent-host'), {
      ...OPENAI_WITHOUT_KEY,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      AGENT_HOST_PORT: String(await freePort()),
      AGENT_IDS: 'QA-001',
    });
    expect(await exitOf(host.child)).toBe(78);
    expect(host.output()).toContain('MODEL_API_KEY (or OPENAI_API_KEY) is required when MODEL_PROVIDER=openai');
  });

  it('a migration run needs no heartbeat settings: HEARTBEAT_TTL_SECONDS=abc does not stop it', async () => {
    const migrate = start(
      [
        join(ROOT, 'node_modules', 'typeorm', 'cli.js'),
        'migration:run',
        '-d',
        join(ROOT, 'dist', 'apps', 'registry', 'libs', 'persistence', 'src', 'data-source.js'),
      ],
      { ...OPENAI_WITHOUT_KEY, DATABASE_URL: TEST_DATABASE_URL, HEARTBEAT_TTL_SECONDS: 'abc' },
    );
    const code = await exitOf(migrate.child);
    expect({ code, output: code === 0 ? '' : migrate.output() }).toEqual({ code: 0, output: '' });
  });
});
