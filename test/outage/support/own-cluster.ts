import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePorts } from '../../orchestrator/support/system';

const run = promisify(execFile);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function info(port: number, section: string): Promise<string> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return section === 'cluster' ? String(await r.call('CLUSTER', 'INFO')) : await r.info(section);
  } finally {
    r.disconnect();
  }
}

/** A 3-master Redis Cluster (no replicas) from the Debian binary, on ports chosen at run time in a temp dir. */
export class OwnCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'ea-cluster-'));
  private readonly procs: ChildProcess[] = [];
  ports: number[] = [];

  get url(): string {
    return `redis-cluster://${this.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  }

  async start(): Promise<void> {
    this.ports = await freePorts(3);
    for (const port of this.ports) {
      const dir = mkdtempSync(join(this.dir, `node-${port}-`));
      this.procs.push(
        spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no',
          '--protected-mode', 'no'], { stdio: 'ignore' }), // prettier-ignore
      );
    }
    for (const port of this.ports)
      await until(`cluster node on ${port}`, async () => /redis_version/.test(await info(port, 'server')));
    await run('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
    for (const port of this.ports)
      await until(`cluster state ok on ${port}`, async () => /cluster_state:ok/.test(await info(port, 'cluster')));
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (proc) =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            proc.once('exit', () => resolve());
            proc.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
