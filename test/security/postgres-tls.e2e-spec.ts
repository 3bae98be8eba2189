import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync, copyFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions } from '@app/persistence';
import { freePort } from '../transport/support/transport-harness';
import { makeTestCa } from './support/test-ca';

jest.setTimeout(120_000);

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * DATABASE_URL `sslmode`/`sslrootcert` against a private PostgreSQL that accepts TLS connections only, with a server
 * certificate from a CA made by openssl: the apps' own path (loadConfig, dataSourceOptions, TypeORM/pg).
 */
describe('PostgreSQL over TLS (DATABASE_URL sslmode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ea-security-pg-'));
  const data = join(dir, 'data');
  let port = 0;
  let ca = '';
  // initdb and postgres refuse to run as root: run them as the postgres user then.
  const asPostgres = (cmd: string, args: string[]) =>
    userInfo().uid === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
      : execFileSync(cmd, args, { stdio: 'pipe' });

  const giveToPostgres = (...paths: string[]) => {
    if (userInfo().uid !== 0) return;
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const p of paths) chownSync(p, uid, gid);
  };

  beforeAll(async () => {
    const pki = makeTestCa(dir);
    ca = pki.ca;
    port = await freePort();
    giveToPostgres(dir, ...readdirSync(dir).map((f) => join(dir, f)));
    asPostgres(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    copyFileSync(pki.cert, join(data, 'server.crt'));
    copyFileSync(pki.key, join(data, 'server.key'));
    giveToPostgres(join(data, 'server.crt'), join(data, 'server.key'));
    execFileSync('chmod', ['0600', join(data, 'server.key')]);
    appendFileSync(
      join(data, 'postgresql.conf'),
      `ssl = on\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\n`,
    );
    // TLS only: a plain connection is refused.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n',
    );
    asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  });

  afterAll(() => {
    try {
      asPostgres(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function query(url: string): Promise<unknown> {
    const config = loadConfig({ DATABASE_URL: url });
    const ds = new DataSource({ ...dataSourceOptions(config.databaseUrl, { poolSize: 1 }), logging: false });
    await ds.initialize();
    try {
      const rows: { ssl: boolean }[] = await ds.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]?.ssl;
    } finally {
      await ds.destroy();
    }
  }

  it('connects with sslmode=verify-full and the CA in sslrootcert, over TLS', async () => {
    await expect(
      query(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=verify-full&sslrootcert=${ca}`),
    ).resolves.toBe(true);
  });

  it('refuses a server certificate it cannot verify (no sslrootcert)', async () => {
    await expect(query(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=verify-full`)).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('is refused by the server without TLS (sslmode=disable)', async () => {
    await expect(query(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`)).rejects.toThrow(
      /no encryption|pg_hba|rejects/i,
    );
  });
});
