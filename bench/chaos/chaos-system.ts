import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_CATALOG, AGENT_ROLES } from '@app/agents';
import { OwnPostgres } from '../../test/outage/support/own-postgres';
import { OwnRedis } from '../../test/transport/support/transport-harness';
import { builtApp, freePort } from '../support/bench-env';
import { ChaosCredentials } from './chaos-credentials';
import { ChaosOptions } from './chaos-options';
import { ChaosProcess } from './chaos-process';
import { countExecutions, ExecutionCount, HostKill } from './executions';

const ROOT = join(__dirname, '..', '..');
/** Roles the replicated agent-host group runs (the other hosts run every agent). */
export const GROUP_ROLES = ['backend_dev', 'qa_engineer', 'devops_engineer'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Private PostgreSQL and Redis, and the apps as built child processes on ports chosen at run time. */
export class ChaosSystem {
  pg!: OwnPostgres;
  redis!: OwnRedis;
  databaseUrl = '';
  registries: ChaosProcess[] = [];
  orchestrators: ChaosProcess[] = [];
  /** hosts[0] runs every agent; the others run GROUP_ROLES. */
  hosts: ChaosProcess[] = [];
  credentials?: ChaosCredentials;
  /** Every scripted model call of every host, appended as it begins (SCRIPTED_CALL_LOG): executions are counted here. */
  callLog = '';
  /** SIGKILLs of agent hosts, with the pid that died. */
  readonly hostKills: HostKill[] = [];

  constructor(private readonly options: ChaosOptions) {}

  get apps(): ChaosProcess[] {
    return [...this.registries, ...this.orchestrators, ...this.hosts];
  }

  async start(log: (line: string) => void): Promise<void> {
    this.pg = new OwnPostgres(await freePort(30_000));
    await this.pg.start();
    this.databaseUrl = await this.pg.createDatabase('ea_chaos');
    this.redis = new OwnRedis(await freePort(30_000));
    await this.redis.start();
    log(`private PostgreSQL on ${this.pg.port}, Redis on ${this.redis.port}`);
    const o = this.options;
    const groupIds = AGENT_CATALOG.filter((a) => GROUP_ROLES.includes(a.role)).map((a) => a.agent_id);
    const credentials = new ChaosCredentials({ all: AGENT_CATALOG.map((a) => a.agent_id), group: groupIds });
    this.credentials = credentials;
    this.callLog = join(credentials.dir, 'model-calls.log');
    // Every app runs with NODE_ENV=production (ChaosProcess), so auth is on and public URLs are required. One key
    // drives the whole load: the per-credential limits stay on (their Redis round trip is part of the work) but high.
    const limits = { AUTH_RATE_LIMIT_PER_MINUTE: '10000000', AUTH_HEARTBEAT_RATE_LIMIT_PER_MINUTE: '10000000' };
    const shared = {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redis.url,
      HEARTBEAT_INTERVAL_SECONDS: '2',
      HEARTBEAT_TTL_SECONDS: '6',
      HEARTBEAT_GRACE_SECONDS: '2',
      LIVENESS_SWEEP_SECONDS: '1',
      SCRIPTED_LATENCY_MS: String(o.scriptedLatencyMs),
      SHUTDOWN_GRACE_SECONDS: '10',
    };
    // Cards carry public URLs (required in production): the registry's name the first orchestrator.
    const orchestratorPorts: number[] = [];
    for (let i = 0; i < o.orchestrators; i++) orchestratorPorts.push(await freePort(30_000));
    for (let i = 0; i < o.registries; i++) {
      const port = await freePort(30_000);
      this.registries.push(
        new ChaosProcess(`registry-${i + 1}`, port, builtApp(ROOT, 'registry'), {
          ...shared,
          REGISTRY_PORT: String(port),
          AUTH_KEYS_FILE: credentials.keysFile,
          ...limits,
          REGISTRY_PUBLIC_URL: `http://127.0.0.1:${port}`,
          ORCHESTRATOR_PUBLIC_URL: `http://127.0.0.1:${orchestratorPorts[0]}`,
        }),
      );
    }
    const registryFor = (i: number) => this.registries[i % this.registries.length].baseUrl;
    for (let i = 0; i < o.orchestrators; i++) {
      const port = orchestratorPorts[i];
      this.orchestrators.push(
        new ChaosProcess(`orchestrator-${i + 1}`, port, builtApp(ROOT, 'orchestrator'), {
          ...shared,
          ORCHESTRATOR_PORT: String(port),
          AUTH_KEYS_FILE: credentials.keysFile,
          ...limits,
          REGISTRY_API_KEY: credentials.orchestrator,
          ORCHESTRATOR_PUBLIC_URL: `http://127.0.0.1:${port}`,
          REGISTRY_URL: registryFor(i),
          ORCHESTRATOR_INSTANCE_ID: `orchestrator-${i + 1}`,
          ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'false',
          ORCHESTRATOR_TASK_TIMEOUT_SECONDS: String(o.taskTimeoutSeconds),
          ORCHESTRATOR_WORKFLOWS_DIR: join(ROOT, 'apps/orchestrator/workflows'),
        }),
      );
    }
    for (let i = 0; i < o.hosts; i++) {
      const port = await freePort(30_000);
      this.hosts.push(
        new ChaosProcess(i === 0 ? 'host-all-agents' : `host-group-${i}`, port, builtApp(ROOT, 'agent-host'), {
          ...shared,
          AGENT_HOST_PORT: String(port),
          REGISTRY_URL: registryFor(i),
          AGENT_IDS: i === 0 ? 'all' : groupIds.join(','),
          AGENT_HOST_API_KEY: credentials.hostKey(i === 0 ? 'all' : 'group'),
          AGENT_HOST_INSTANCE_ID: i === 0 ? 'host-all-agents' : `host-group-${i}`,
          AGENT_HOST_ADVERTISE_HOST: '127.0.0.1',
          SCRIPTED_CALL_LOG: this.callLog,
        }),
      );
    }
    // Registries and orchestrators store the keys file's credentials at start-up: hosts start once they have.
    const servers = [...this.registries, ...this.orchestrators];
    for (const app of servers) app.start();
    await this.waitReady(servers, 180_000);
    for (const app of this.hosts) app.start();
    await this.waitReady(this.hosts, 180_000);
    await this.waitAgentsOnline(180_000);
    log(
      `${this.registries.length} registries, ${this.orchestrators.length} orchestrators, ${this.hosts.length} agent hosts ready`,
    );
  }

  async waitReady(apps: ChaosProcess[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const app of apps) {
      for (;;) {
        const ok = await fetch(`${app.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`${app.name} not ready:\n${app.output.slice(-3_000)}`);
        await sleep(250);
      }
    }
  }

  private async waitAgentsOnline(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = await fetch(`${this.registries[0].baseUrl}/api/agents?status=online&limit=100`, {
        headers: this.credentials?.headers,
      })
        .then((r) => r.json() as Promise<{ agents?: unknown[] }>)
        .catch(() => ({ agents: [] }));
      if ((body.agents?.length ?? 0) >= AGENT_CATALOG.length) return;
      if (Date.now() > deadline) throw new Error(`only ${body.agents?.length ?? 0} agents online`);
      await sleep(500);
    }
  }

  /** Roles every task of the load is spread over. */
  get roles(): readonly string[] {
    return AGENT_ROLES;
  }

  /** The call log's lines of one task: [ms, pid, attempt]. */
  callLines(taskId: string): Array<[number, number, string]> {
    if (!existsSync(this.callLog)) return [];
    return readFileSync(this.callLog, 'utf8')
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter((f) => f[2] === taskId)
      .map((f) => [Number(f[0]), Number(f[1]), f[3]]);
  }

  /** Executions counted from the call log, the host kills explaining re-executions. */
  executions(): ExecutionCount {
    return countExecutions(existsSync(this.callLog) ? readFileSync(this.callLog, 'utf8') : '', this.hostKills);
  }

  async stop(): Promise<void> {
    for (const app of this.apps) await app.stop().catch(() => undefined);
    await this.redis?.destroy().catch(() => undefined);
    await this.pg?.destroy().catch(() => undefined);
    this.credentials?.remove();
  }
}
