import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, startOrchestrator, Started, systemEnv, waitFor } from '../orchestrator/support/system';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { bearer, request } from './support/keys';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');

/** What `npm start` does: local credentials file, provisioned by the apps, each process with its own key. */
describe('npm start credentials: generated file, provisioned keys, a task end to end (auth on)', () => {
  const transportPrefix = uniqueRedisPrefix('auth-prov').replace(/:$/, '');
  const file = join(mkdtempSync(join(tmpdir(), 'ea-creds-')), '.expert-agents', 'credentials.json');
  let keys: Record<string, string>;
  let registry: RegistryUnderTest;
  let orchestrator: Started;
  let host: Started;

  beforeAll(async () => {
    const run = () =>
      execFileSync(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          'tsconfig-paths/register',
          'scripts/dev-credentials.ts',
          file,
          'qa_engineer',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    run();
    const first = readFileSync(file, 'utf8');
    run(); // a second start keeps the file
    expect(readFileSync(file, 'utf8')).toBe(first);
    keys = Object.fromEntries(
      (JSON.parse(first) as { keys: { name: string; key: string }[] }).keys.map((k) => [k.name, k.key]),
    );
    registry = await startRegistry({ AUTH_MODE: 'on', AUTH_KEYS_FILE: file });
    const env = { ...systemEnv(registry.baseUrl, transportPrefix), AUTH_MODE: 'on' };
    orchestrator = await startOrchestrator({ ...env, AUTH_KEYS_FILE: file, REGISTRY_API_KEY: keys.orchestrator });
    host = await startHost({ ...env, AGENT_HOST_API_KEY: keys['agent-host-qa_engineer'] }, 'role:qa_engineer');
  });

  afterAll(async () => {
    await host?.close().catch(() => undefined);
    await orchestrator?.close().catch(() => undefined);
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
    await deleteRedisKeys(transportPrefix);
  });

  it('writes the file with mode 0600: an operator key, a discovery key and host keys bound to their agents', async () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // npm start's default single host holds agent-host-all; START_HOSTS=per-role hosts hold one key per role.
    expect(Object.keys(keys)).toEqual(['operator', 'orchestrator', 'agent-host-all', 'agent-host-qa_engineer']);
    const me = await request(registry.baseUrl, 'GET', '/api/auth/me', {
      headers: bearer(keys['agent-host-qa_engineer']),
    });
    expect(me.body).toMatchObject({ kind: 'agent_host', agent_ids: ['QA-001', 'QA-002', 'QA-003', 'QA-004'] });
    const op = await request(orchestrator.baseUrl, 'GET', '/api/auth/me', { headers: bearer(keys.operator) });
    expect(op.body).toMatchObject({ kind: 'api_key', name: 'operator', scopes: ['*'] });
  });

  it('routes a task by role through discovery to the host, which reports it signed', async () => {
    const submitted = await request(orchestrator.baseUrl, 'POST', '/api/tasks', {
      headers: bearer(keys.operator),
      body: { title: 'Write the test plan', role: 'qa_engineer' },
    });
    expect(submitted.status).toBe(202);
    const done = await waitFor('the task to complete', async () => {
      const r = await request(orchestrator.baseUrl, 'GET', `/api/tasks/${submitted.body.task_id}`, {
        headers: bearer(keys.operator),
      });
      return r.body.status === 'completed' ? r.body : undefined;
    });
    expect(done.agent_id).toMatch(/^QA-00[1-4]$/);
    expect(done.created_by).toBe('api_key:operator');
  });
});
