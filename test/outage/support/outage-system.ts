import { randomUUID } from 'node:crypto';
import { call, Reply, waitFor } from '../../support/http-client';
import { ChildApp, freePort, WORKFLOWS_DIR } from '../../orchestrator/support/system';

export { call, waitFor };

/** An app as a child process on a port chosen at run time, pointed at private PostgreSQL and Redis. */
export class OutageApp {
  readonly child: ChildApp;

  private constructor(
    readonly name: string,
    readonly baseUrl: string,
    entry: string,
    env: Record<string, string>,
  ) {
    this.child = new ChildApp(entry, env);
  }

  static async create(
    kind: 'registry' | 'orchestrator' | 'agent-host',
    env: Record<string, string>,
  ): Promise<OutageApp> {
    const port = await freePort();
    const portVar = { registry: 'REGISTRY_PORT', orchestrator: 'ORCHESTRATOR_PORT', 'agent-host': 'AGENT_HOST_PORT' }[
      kind
    ];
    const app = new OutageApp(kind, `http://127.0.0.1:${port}`, `apps/${kind}/src/main.ts`, {
      [portVar]: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    });
    app.child.start();
    return app;
  }

  get exited(): boolean {
    return this.child.exitCode !== null;
  }

  async health(): Promise<Reply | undefined> {
    return call(this.baseUrl, 'GET', '/health').catch(() => undefined);
  }

  async ready(): Promise<Reply | undefined> {
    return call(this.baseUrl, 'GET', '/health/ready').catch(() => undefined);
  }

  /** Fails at once (with its output) if the process exited: no app may exit because a dependency is down. */
  assertAlive(): void {
    if (this.exited) throw new Error(`${this.name} exited (code ${this.child.exitCode}):\n${this.child.output}`);
  }

  /** Live (200) and not ready (503) while `dependency` is down, observed over at least `forMs`. */
  async waitsFor(dependency: 'database' | 'redis', forMs = 4_000): Promise<void> {
    let since: number | undefined;
    await waitFor(
      `${this.name} live but not ready (waiting for ${dependency}) for ${forMs} ms`,
      async () => {
        this.assertAlive();
        const [live, ready] = [await this.health(), await this.ready()];
        this.last = `live ${live?.status} ${live?.text}; ready ${ready?.status} ${ready?.text}`;
        // Before Nest starts the start-up gate names the dependency; afterwards terminus' 503 goes through the
        // uniform error body, so only the status codes are common to both.
        const waiting = live?.status === 200 && ready?.status === 503;
        if (!waiting) {
          since = undefined;
          return false;
        }
        since ??= Date.now();
        return Date.now() - since >= forMs;
      },
      90_000,
      250,
    ).catch((error: Error) => this.explain(error));
  }

  /** Rethrows with what the app last answered and its log tail. */
  private explain(error: Error): never {
    throw new Error(
      `${error.message}\nlast seen: ${this.last}\n--- ${this.name} output ---\n${this.child.output.slice(-4_000)}`,
    );
  }

  private last = '';

  async becomesReady(timeoutMs = 90_000): Promise<void> {
    await waitFor(
      `${this.name} ready`,
      async () => {
        this.assertAlive();
        const ready = await this.ready();
        this.last = `ready ${ready?.status} ${ready?.text}`;
        return ready?.status === 200;
      },
      timeoutMs,
      250,
    ).catch((error: Error) => this.explain(error));
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

/** What every process of one outage test shares: fast loops, its own key prefixes, the shipped workflows. */
export function outageEnv(databaseUrl: string, redisUrl: string): Record<string, string> {
  const id = randomUUID().slice(0, 8);
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    TRANSPORT_KEY_PREFIX: `ea-outage-${id}`,
    REGISTRY_REDIS_PREFIX: `registry-outage-${id}:`,
    HEARTBEAT_INTERVAL_SECONDS: '1',
    HEARTBEAT_TTL_SECONDS: '3',
    HEARTBEAT_GRACE_SECONDS: '0',
    LIVENESS_SWEEP_SECONDS: '1',
    ORCHESTRATOR_DISPATCH_SCAN_MS: '200',
    ORCHESTRATOR_DEADLINE_SWEEP_MS: '200',
    ORCHESTRATOR_DISCOVERY_CACHE_MS: '200',
    ORCHESTRATOR_WORKFLOWS_DIR: WORKFLOWS_DIR,
    SHUTDOWN_GRACE_SECONDS: '5',
  };
}
