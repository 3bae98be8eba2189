import { RegistryAppModule } from '../../apps/registry/src/registry-app.module';
import { deleteRedisKeys, startHttpApp, StartedHttpApp, uniqueRedisPrefix } from '../support/http-app';

export interface RegistryUnderTest extends StartedHttpApp {
  prefix: string;
  /** fetch against the registry: JSON in, status and JSON out. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any }>;
}

/** The real registry on a random port, its Redis keys under a prefix of its own (or a shared one, to act as a second replica). */
export async function startRegistry(
  env: Record<string, string> = {},
  prefix = uniqueRedisPrefix('registry'),
): Promise<RegistryUnderTest> {
  const started = await startHttpApp((config) => RegistryAppModule.forRoot(config), {
    env: { REGISTRY_REDIS_PREFIX: prefix, ...env },
    title: 'registry under test',
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${started.baseUrl}${path}`, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: parsed as any };
  };
  return {
    ...started,
    prefix,
    call,
    close: async () => {
      await started.close();
    },
  };
}

export async function cleanupRegistryKeys(prefix: string): Promise<void> {
  await deleteRedisKeys(prefix);
}

let counter = 100;
/** A fresh agent id per call, so tests in one file never collide. */
export function nextAgentId(team = 'TST'): string {
  counter += 1;
  return `${team}-${String(counter).padStart(3, '0')}`;
}

export function registration(agentId: string, overrides: Record<string, unknown> = {}) {
  return {
    agent_id: agentId,
    name: `Agent ${agentId}`,
    role: 'backend_dev',
    host: 'localhost',
    port: 6001,
    metadata: { technologies: ['NestJS'] },
    capabilities: [{ capability: 'nestjs', proficiency_level: 8 }],
    ...overrides,
  };
}
