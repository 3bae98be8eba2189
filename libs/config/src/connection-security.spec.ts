import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { redactUrl } from './connection-security';
import { loadConfig } from './load-config';

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('connection security settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ea-config-tls-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an unparsable DATABASE_URL without its password', () => {
    const message = problems({ DATABASE_URL: 'postgres://app:hunter2-secret@db:5432:x/agents' });
    expect(message).toMatch(/DATABASE_URL must be a URL/);
    expect(message).toContain('app:***@');
    expect(message).not.toContain('hunter2');
  });

  it('redacts passwords of parsable, unparsable and odd values', () => {
    expect(redactUrl('redis://u:p4ss@h:6379')).toBe('redis://u:***@h:6379');
    expect(redactUrl('postgres://u:p4ss@h:1:2/db')).toBe('postgres://u:***@h:1:2/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('no-scheme-user:p4ss@host')).toBe('<redacted>');
    expect(redactUrl('not a url')).toBe('not a url');
  });

  it('puts REDIS_USERNAME and REDIS_PASSWORD into the Redis URL (they win over the URL)', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://old:old@redis.internal:6380/0',
      REDIS_USERNAME: 'agents-qa',
      REDIS_PASSWORD: 'p@ss/word',
    });
    expect(config.redisUrl).toBe('rediss://agents-qa:p%40ss%2Fword@redis.internal:6380/0');
    expect(loadConfig({ REDIS_PASSWORD: 'only' }).redisUrl).toBe('redis://:only@127.0.0.1:6379');
  });

  it('refuses a REDIS_USERNAME without a password or with odd characters', () => {
    expect(problems({ REDIS_USERNAME: 'registry' })).toMatch(/REDIS_PASSWORD is required when REDIS_USERNAME/);
    expect(problems({ REDIS_USERNAME: 'a b', REDIS_PASSWORD: 'x' })).toMatch(/REDIS_USERNAME must be/);
  });

  it('accepts rediss:// and DATABASE_URL sslmode with readable certificate files', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://redis.internal:6380',
      DATABASE_URL: `postgres://app@db/agents?sslmode=verify-full&sslrootcert=${ca}`,
      NODE_EXTRA_CA_CERTS: ca,
    });
    expect(config.redisUrl).toBe('rediss://redis.internal:6380');
    expect(config.databaseUrl).toContain('sslmode=verify-full');
  });

  it('names a bad sslmode, an unreadable certificate file and a missing NODE_EXTRA_CA_CERTS', () => {
    expect(problems({ DATABASE_URL: 'postgres://app@db/agents?sslmode=maybe' })).toMatch(
      /DATABASE_URL sslmode must be one of disable, prefer, require, verify-ca, verify-full, no-verify \(got "maybe"\)/,
    );
    expect(problems({ DATABASE_URL: 'postgres://app@db/agents?sslmode=verify-full&sslrootcert=/nope/ca.pem' })).toMatch(
      /DATABASE_URL sslrootcert must name a readable file \(got "\/nope\/ca.pem"\)/,
    );
    expect(problems({ DATABASE_URL: 'postgres://app@db/agents?sslkey=/nope/key.pem' })).toMatch(/sslkey must name/);
    expect(problems({ NODE_EXTRA_CA_CERTS: '/nope/extra.pem' })).toMatch(
      /NODE_EXTRA_CA_CERTS must name a readable file/,
    );
  });
});
