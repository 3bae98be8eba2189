import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { register } from 'prom-client';
import { AGENT_CATALOG } from '@app/agents';
import { AppConfig } from '@app/config';
import { startAgentHost } from '../../../apps/agent-host/src/bootstrap';
import { createOrchestratorApp } from '../../../apps/orchestrator/src/orchestrator.bootstrap';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../../registry/registry-test-app';
import { deleteRedisKeys, testConfig, uniqueRedisPrefix } from '../../support/http-app';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../support/test-env';
import { call, Json, Reply, waitFor as pollUntil } from '../../support/http-client';

const ROOT = join(__dirname, '../../..');
export const WORKFLOWS_DIR = join(ROOT, 'apps/orchestrator/workflows');

export { call };
export type { Json, Reply };

/** The orchestrator suites wait on whole workflows: a longer default than the shared helper's. */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  return pollUntil(what, check, timeoutMs, 100);
}

export interface Started {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  close(): Promise<void>;
}

/** The environment every process of one test system shares: its own transport prefix, fast loops. */
export function systemEnv(registryUrl: string, transportPrefix: string): Record<string, string> {
  return {
    REGISTRY_URL: registryUrl,
    TRANSPORT_KEY_PREFIX: transportPrefix,
    HEARTBEAT_INTERVAL_SECONDS: '1',
    HEARTBEAT_TTL_SECONDS: '3',
    HEARTBEAT_GRACE_SECONDS: '0',
    ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'false',
    ORCHESTRATOR_DISPATCH_SCAN_MS: '200',
    ORCHESTRATOR_DEADLINE_SWEEP_MS: '200',
    ORCHESTRATOR_DISCOVERY_CACHE_MS: '200',
    ORCHESTRATOR_WORKFLOWS_DIR: WORKFLOWS_DIR,
    SCRIPTED_LATENCY_MS: '0',
  };
}

export async function startOrchestrator(env: Record<string, string>): Promise<Started> {
  const config = testConfig({ ORCHESTRATOR_INSTANCE_ID: `orch-${randomUUID().slice(0, 8)}`, ...env });
  register.clear();
  const app = await createOrchestratorApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { app, config, baseUrl: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export async function startHost(env: Record<string, string>, agentIds: string): Promise<Started> {
  const config = testConfig({
    ...env,
    AGENT_IDS: agentIds,
    AGENT_HOST_INSTANCE_ID: `host-${randomUUID().slice(0, 8)}`,
  });
  register.clear();
  const { app, port } = await startAgentHost(config, { port: 0, host: '127.0.0.1' });
  return { app, config, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Catalog ids of these roles, comma separated (an AGENT_IDS value). */
export function idsOfRoles(roles: string[]): string {
  return AGENT_CATALOG.filter((a) => roles.includes(a.role))
    .map((a) => a.agent_id)
    .join(',');
}

export function idsExceptRoles(roles: string[]): string {
  return AGENT_CATALOG.filter((a) => !roles.includes(a.role))
    .map((a) => a.agent_id)
    .join(',');
}

/** A registry, an orchestrator and agent hosts, all in this process, on random ports and their own Redis keys. */
export class TestSystem {
  registry!: RegistryUnderTest;
  orchestrator!: Started;
  readonly hosts: Started[] = [];
  readonly transportPrefix = uniqueRedisPrefix('orch').replace(/:$/, '');
  env: Record<string, string> = {};

  async start(
    options: {
      hosts?: string[];
      orchestratorEnv?: Record<string, string>;
      registryEnv?: Record<string, string>;
      inProcessOrchestrator?: boolean;
    } = {},
  ): Promise<this> {
    this.registry = await startRegistry({
      LIVENESS_SWEEP_SECONDS: '1',
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_TTL_SECONDS: '3',
      HEARTBEAT_GRACE_SECONDS: '0',
      ...options.registryEnv,
    });
    this.env = systemEnv(this.registry.baseUrl, this.transportPrefix);
    for (const ids of options.hosts ?? []) await this.addHost(ids);
    if (options.inProcessOrchestrator !== false)
      this.orchestrator = await startOrchestrator({ ...this.env, ...options.orchestratorEnv });
    return this;
  }

  async addHost(agentIds: string, env: Record<string, string> = {}): Promise<Started> {
    const host = await startHost({ ...this.env, ...env }, agentIds);
    this.hosts.push(host);
    return host;
  }

  /** Where the orchestrator under test answers (a child process sets it). */
  baseUrlOverride?: string;

  get url(): string {
    return this.baseUrlOverride ?? this.orchestrator.baseUrl;
  }

  call(method: string, path: string, body?: unknown): Promise<Reply> {
    return call(this.url, method, path, body);
  }

  /** Waits until the registry lists these agents online. */
  async agentsOnline(ids: string[]): Promise<void> {
    await waitFor(`agents ${ids.join(',')} online`, async () => {
      const r = await call(this.registry.baseUrl, 'GET', '/api/agents?status=online');
      const online = new Set((r.body.agents ?? []).map((a: { agent_id: string }) => a.agent_id));
      return ids.every((id) => online.has(id));
    });
  }

  async waitTask(
    taskId: string,
    statuses: string[] = ['completed', 'failed', 'canceled'],
    timeoutMs = 30_000,
  ): Promise<Json> {
    return waitFor(
      `task ${taskId} to be ${statuses.join('|')}`,
      async () => {
        const r = await this.call('GET', `/api/tasks/${taskId}`);
        return statuses.includes(r.body.status) ? r.body : undefined;
      },
      timeoutMs,
    );
  }

  async waitRun(runId: string, statuses: string[], timeoutMs = 60_000): Promise<Json> {
    return waitFor(
      `run ${runId} to be ${statuses.join('|')}`,
      async () => {
        const r = await this.call('GET', `/api/workflows/runs/${runId}`);
        return statuses.includes(r.body.status) ? r.body : undefined;
      },
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.orchestrator?.close().catch(() => undefined);
    for (const h of this.hosts.splice(0)) await h.close().catch(() => undefined);
    await this.registry?.close().catch(() => undefined);
    if (this.registry) await cleanupRegistryKeys(this.registry.prefix);
    await deleteRedisKeys(this.transportPrefix);
  }
}

/** An app as a child process (run from the TypeScript sources), for tests that SIGKILL it. */
export class ChildApp {
  private child?: ChildProcess;
  output = '';

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, this.entry)],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          AUTH_MODE: 'disabled',
          LOG_LEVEL: 'warn',
          DATABASE_URL: TEST_DATABASE_URL,
          REDIS_URL: TEST_REDIS_URL,
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code (or signal) once the process ended; null while it runs. */
  get exitCode(): number | string | null {
    return this.child?.exitCode ?? this.child?.signalCode ?? null;
  }

  /** SIGKILL: no drain, no acknowledgements, no goodbye to the registry. */
  kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

/**
 * `count` distinct TCP ports nobody listens on right now: all are held open until the last is chosen, because a
 * port closed and asked for again can come back (a Sentinel set once got one port twice and never formed).
 */
export async function freePorts(count: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}
