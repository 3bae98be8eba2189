import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { parse } from 'yaml';
import { PrivateRedis } from './support/private-redis';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../..');
type Service = { environment?: Record<string, string> };
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
/** `${NAME:-default}` as compose resolves it with nothing set. */
const resolve = (value: string): string => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

/**
 * docker/redis/start.sh with the committed rules and the passwords docker-compose.yml gives the redis service: every
 * app service logs in with the REDIS_USERNAME/REDIS_PASSWORD compose gives it, and the default user is off.
 */
describe('compose: docker/redis/start.sh and the services’ Redis users', () => {
  const redisEnv = Object.fromEntries(
    Object.entries(compose.services.redis.environment ?? {}).map(([k, v]) => [k, resolve(v)]),
  );
  const apps = Object.entries(compose.services).filter(([, s]) => s.environment?.REDIS_USERNAME);

  it('refuses to start when a user has no password', () => {
    const run = spawnSync('sh', [join(ROOT, 'docker/redis/start.sh'), '--port', '0'], {
      env: { PATH: process.env.PATH, REDIS_ACL_RULES: join(ROOT, 'docker/redis/users.acl.rules') },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/REDIS_PASSWORD_REGISTRY is not set/);
  });

  it('lets every app service in with its own user and nobody in anonymously', async () => {
    const own = new PrivateRedis();
    await own.start(
      (dir, port) => ['--port', String(port), '--dir', dir],
      {},
      {
        command: 'sh',
        args: [join(ROOT, 'docker/redis/start.sh')],
        env: { ...redisEnv, REDIS_ACL_RULES: join(ROOT, 'docker/redis/users.acl.rules') },
      },
    );
    try {
      const [, s0] = apps[0];
      await own.ready(
        `redis://${resolve(s0.environment!.REDIS_USERNAME)}:${resolve(s0.environment!.REDIS_PASSWORD)}@127.0.0.1:${own.port}`,
      );
      expect(apps.map(([n]) => n)).toEqual(expect.arrayContaining(['registry', 'orchestrator', 'agents-qa']));
      for (const [, s] of apps) {
        const env = s.environment!;
        const c = new Redis(
          `redis://${resolve(env.REDIS_USERNAME)}:${resolve(env.REDIS_PASSWORD)}@127.0.0.1:${own.port}`,
          {
            maxRetriesPerRequest: 0,
          },
        );
        try {
          expect(await c.ping()).toBe('PONG');
          expect(await c.acl('WHOAMI').catch(() => 'NOPERM')).toBe('NOPERM');
        } finally {
          c.disconnect();
        }
      }
      const qa = new Redis(
        `redis://agents-qa:${resolve(compose.services['agents-qa'].environment!.REDIS_PASSWORD)}@127.0.0.1:${own.port}`,
      );
      await expect(qa.xrange('ea:{DEV-001}:stream', '-', '+')).rejects.toThrow(/NOPERM/);
      qa.disconnect();
      const anonymous = new Redis(`redis://127.0.0.1:${own.port}`, {
        maxRetriesPerRequest: 0,
        enableReadyCheck: false,
      });
      anonymous.on('error', () => undefined);
      await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
      anonymous.disconnect();
    } finally {
      await own.destroy();
    }
  });
});
