import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePorts } from '../../orchestrator/support/system';

const MASTER_NAME = 'eamaster';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ping(port: number): Promise<boolean> {
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
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
}

/**
 * One master, one replica and three sentinels from the Debian redis-server binary, on ports chosen at run time in a
 * temp dir; `failover()` SIGKILLs the current master and waits until the sentinels promoted the replica.
 */
export class OwnSentinelSet {
  readonly dir = mkdtempSync(join(tmpdir(), 'ea-sentinel-'));
  private readonly procs = new Map<number, ChildProcess>();
  dataPorts: number[] = [];
  sentinelPorts: number[] = [];

  get url(): string {
    return `redis-sentinel://${this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER_NAME}`;
  }

  private spawnRedis(port: number, args: string[]): void {
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    this.procs.set(port, proc);
  }

  async start(): Promise<void> {
    const ports = await freePorts(5);
    this.dataPorts = ports.slice(0, 2);
    this.sentinelPorts = ports.slice(2);
    const [master, replica] = this.dataPorts;
    for (const port of this.dataPorts) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
        '--dir', mkdtempSync(join(this.dir, `data-${port}-`)), '--protected-mode', 'no']; // prettier-ignore
      if (port === replica) args.push('--replicaof', '127.0.0.1', String(master));
      this.spawnRedis(port, args);
    }
    for (const port of this.dataPorts) await until(`redis-server on ${port}`, () => ping(port));
    await until('the replica in sync', async () => {
      const r = new Redis({ port: replica, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        return /master_link_status:up/.test(await r.info('replication'));
      } finally {
        r.disconnect();
      }
    });
    for (const port of this.sentinelPorts) {
      const conf = join(this.dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${this.dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 5000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      this.spawnRedis(port, [conf, '--sentinel']);
    }
    for (const port of this.sentinelPorts) await until(`sentinel on ${port}`, () => ping(port));
    await until('the sentinels to know the replica and each other', async () => {
      const s = new Redis({
        port: this.sentinelPorts[0],
        host: '127.0.0.1',
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      s.on('error', () => undefined);
      try {
        const master = (await s.call('SENTINEL', 'MASTER', MASTER_NAME)) as string[];
        const field = (name: string) => Number(master[master.indexOf(name) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
      } finally {
        s.disconnect();
      }
    });
  }

  /** The data port the sentinels name as master now. */
  async masterPort(): Promise<number> {
    const s = new Redis({
      port: this.sentinelPorts[0],
      host: '127.0.0.1',
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    s.on('error', () => undefined);
    try {
      const [, port] = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as [string, string];
      return Number(port);
    } finally {
      s.disconnect();
    }
  }

  /** SIGKILLs the master; resolves with the new master's port once the sentinels promoted it and it accepts writes. */
  async failover(): Promise<number> {
    const old = await this.masterPort();
    const proc = this.procs.get(old);
    await new Promise<void>((resolve) => {
      proc!.once('exit', () => resolve());
      proc!.kill('SIGKILL');
    });
    this.procs.delete(old);
    let promoted = 0;
    await until(
      'the sentinels to promote the replica',
      async () => {
        promoted = await this.masterPort();
        if (promoted === old) return false;
        const r = new Redis({ port: promoted, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
        r.on('error', () => undefined);
        try {
          return /role:master/.test(await r.info('replication'));
        } finally {
          r.disconnect();
        }
      },
      60_000,
    );
    return promoted;
  }

  async destroy(): Promise<void> {
    await Promise.all(
      [...this.procs.values()].map(
        (proc) =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            proc.once('exit', () => resolve());
            proc.kill('SIGKILL');
          }),
      ),
    );
    this.procs.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
