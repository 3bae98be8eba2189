import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';

const BIN = '/usr/lib/postgresql/15/bin';

/** initdb and postgres refuse to run as root: then they run as the Debian `postgres` user. */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

/**
 * A private PostgreSQL 15 cluster in a temp dir on a port chosen at run time, which a test can stop and start
 * (the shared server on 5432 is never touched).
 */
export class OwnPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'ea-outage-pg-'));
  private proc?: ChildProcess;
  output = '';

  constructor(readonly port: number) {
    const user = postgresUser();
    if ('uid' in user) chownSync(this.dir, user.uid, user.gid);
    execFileSync(`${BIN}/initdb`, ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'], {
      stdio: 'ignore',
      ...user,
    });
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(): Promise<void> {
    const args = [
      '-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200',
    ]; // prettier-ignore
    const proc = spawn(`${BIN}/postgres`, args, { stdio: ['ignore', 'ignore', 'pipe'], ...postgresUser() });
    proc.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-10_000)));
    this.proc = proc;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline || !this.running)
          throw new Error(`private PostgreSQL did not start: ${this.output}`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  /** Fast shutdown (clients are disconnected), like a restart by an operator. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    const proc = this.proc;
    if (!proc || !this.running) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
    this.proc = undefined;
  }

  /** Creates `name` and applies every migration to it. */
  async createDatabase(name: string): Promise<string> {
    const admin = new Client({ connectionString: this.url() });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    const dataSource = new DataSource(dataSourceOptions(this.url(name), { poolSize: 2 }));
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    return this.url(name);
  }

  async destroy(): Promise<void> {
    await this.stop('SIGQUIT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
