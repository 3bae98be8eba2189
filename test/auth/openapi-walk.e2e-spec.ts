import { randomUUID } from 'node:crypto';
import { startHost, startOrchestrator, Started, systemEnv } from '../orchestrator/support/system';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { bearer, createTestKey, request } from './support/keys';

/**
 * Every operation of every app's OpenAPI document declares a scope or a public marker, and
 * with auth on answers 401 without a credential, 403 with one lacking the scope (or bound to
 * another agent), and neither with the right one.
 */
const INFRA = new Set(['/health', '/health/ready', '/metrics']);
const SAMPLE: Record<string, string> = {
  agent_id: 'QA-001',
  task_id: randomUUID(),
  run_id: randomUUID(),
  id: randomUUID(),
  address: 'orchestrator',
  name: 'mcq_generation',
  role: 'qa_engineer',
};

interface Operation {
  app: string;
  method: string;
  path: string;
  url: string;
  scopes?: string[];
  isPublic: boolean;
  actsAs?: string;
}

async function operations(app: string, baseUrl: string): Promise<Operation[]> {
  const doc = (await request(baseUrl, 'GET', '/docs/json')).body as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => SAMPLE[name] ?? 'x');
      ops.push({
        app,
        method: method.toUpperCase(),
        path,
        url,
        scopes: op['x-required-scopes'] as string[] | undefined,
        isPublic: op['x-public'] === true || INFRA.has(path),
        actsAs: op['x-acts-as-agent'] as string | undefined,
      });
    }
  }
  return ops;
}

describe('every operation of every app is guarded (auth on)', () => {
  const transportPrefix = uniqueRedisPrefix('auth-walk').replace(/:$/, '');
  let registry: RegistryUnderTest;
  let orchestrator: Started;
  let host: Started;
  let apps: [string, string][];
  let noScopes: string;

  beforeAll(async () => {
    registry = await startRegistry({ AUTH_MODE: 'on' });
    const env = { ...systemEnv(registry.baseUrl, transportPrefix), AUTH_MODE: 'on' };
    orchestrator = await startOrchestrator(env);
    const hostKey = await createTestKey([], ['QA-001']);
    host = await startHost({ ...env, AGENT_HOST_API_KEY: hostKey.key }, 'QA-001');
    apps = [
      ['registry', registry.baseUrl],
      ['orchestrator', orchestrator.baseUrl],
      ['agent-host', host.baseUrl],
    ];
    noScopes = (await createTestKey([])).key;
  });

  afterAll(async () => {
    await host?.close().catch(() => undefined);
    await orchestrator?.close().catch(() => undefined);
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
    await deleteRedisKeys(transportPrefix);
  });

  it('finds the OpenAPI document of each app with its operations, each declaring a scope or public', async () => {
    const undeclared: string[] = [];
    let total = 0;
    for (const [app, url] of apps) {
      const ops = await operations(app, url);
      expect(ops.length).toBeGreaterThan(3);
      total += ops.length;
      for (const op of ops)
        if (!op.isPublic && op.scopes === undefined) undeclared.push(`${app} ${op.method} ${op.path}`);
    }
    expect(undeclared).toEqual([]);
    expect(total).toBeGreaterThan(30);
  });

  it('answers 401 without a credential, 403 without the scope, neither with it', async () => {
    const problems: string[] = [];
    let walked = 0;
    for (const [app, baseUrl] of apps) {
      for (const op of await operations(app, baseUrl)) {
        const where = `${app} ${op.method} ${op.path}`;
        const body =
          op.method === 'GET' || op.method === 'DELETE'
            ? undefined
            : op.actsAs?.startsWith('body')
              ? { agent_id: 'QA-001' }
              : {};
        if (op.isPublic) {
          const open = await request(baseUrl, op.method, op.url, { body });
          if (open.status === 401 || open.status === 403) problems.push(`${where}: public but ${open.status}`);
          continue;
        }
        walked += 1;
        const anonymous = await request(baseUrl, op.method, op.url, { body });
        if (anonymous.status !== 401) problems.push(`${where}: no credential → ${anonymous.status}, expected 401`);
        else if (anonymous.body.code !== 'UNAUTHENTICATED') problems.push(`${where}: 401 without code`);
        const needsSomething = (op.scopes ?? []).length > 0 || op.actsAs !== undefined;
        if (needsSomething) {
          const without = await request(baseUrl, op.method, op.url, { body, headers: bearer(noScopes) });
          if (without.status !== 403)
            problems.push(`${where}: credential without scope → ${without.status}, expected 403`);
        }
        const right = await createTestKey(op.scopes ?? [], op.actsAs ? ['QA-001'] : undefined);
        const allowed = await request(baseUrl, op.method, op.url, { body, headers: bearer(right.key) });
        if (allowed.status === 401 || allowed.status === 403)
          problems.push(
            `${where}: credential with ${JSON.stringify(op.scopes)} → ${allowed.status} ${JSON.stringify(allowed.body)}`,
          );
      }
    }
    expect(problems).toEqual([]);
    expect(walked).toBeGreaterThan(25);
  });
});
