import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { RedisOptions } from 'ioredis';
import { eventually, freePort } from '../../transport/support/transport-harness';

/** A throw-away redis-server on a free port with extra arguments (ACL file, TLS), in a temp dir. */
export class PrivateRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'ea-security-redis-'));
  port = 0;
  private proc?: ChildProcess;
  private stderr = '';

  /** `files` are written into the temp dir first; `args(dir, port)` builds the redis-server arguments. */
  async start(
    args: (dir: string, port: number) => string[],
    files: Record<string, string> = {},
    launcher: { command: string; args: string[]; env: Record<string, string> } = {
      command: '/usr/bin/redis-server',
      args: [],
      env: {},
    },
  ): Promise<void> {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, name), text, { mode: 0o600 });
    this.port = await freePort();
    // `launcher`: e.g. docker/redis/start.sh, which execs redis-server with the remaining arguments.
    const proc = spawn(
      launcher.command,
      [
        ...launcher.args,
        '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', ...args(this.dir, this.port),
      ], // prettier-ignore
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...launcher.env } },
    );
    proc.stdout?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc = proc;
  }

  /** Waits until a client with these options answers PING. */
  async ready(url: string, options: RedisOptions = {}): Promise<void> {
    await eventually(
      async () => {
        if (this.proc?.exitCode !== null) throw new Error(`redis-server exited: ${this.stderr}`);
        const probe = new Redis(url, {
          ...options,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      },
      `redis-server on ${this.port}`,
      15_000,
    );
  }

  async destroy(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
