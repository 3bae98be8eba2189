import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aclFile, registryAclRules } from '@app/transport';
import { PrivateRedis } from './support/private-redis';
import { makeTestCa } from './support/test-ca';

jest.setTimeout(90_000);

const ROOT = join(__dirname, '../..');

/** Runs the probe with the given environment (plus PATH), as an app would start. */
async function probe(env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'test/security/fixtures/redis-ping.ts'],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
  );
  return stdout.trim();
}

/** rediss:// with a private CA (NODE_EXTRA_CA_CERTS) and a per-component ACL user (REDIS_USERNAME/REDIS_PASSWORD). */
describe('Redis over TLS with an ACL user', () => {
  const redis = new PrivateRedis();
  let ca: string;

  beforeAll(async () => {
    const pki = makeTestCa(redis.dir);
    ca = pki.ca;
    const users = aclFile([{ name: 'registry', password: 'registry-pw', rules: registryAclRules() }]);
    await redis.start(
      (dir, port) => [
        '--port', '0', '--tls-port', String(port), '--tls-cert-file', pki.cert, '--tls-key-file', pki.key,
        '--tls-ca-cert-file', pki.ca, '--tls-auth-clients', 'no', '--aclfile', `${dir}/users.acl`,
      ], // prettier-ignore
      { 'users.acl': users },
    );
    await redis.ready(`rediss://registry:registry-pw@127.0.0.1:${redis.port}`, { tls: { ca: [readFileSync(pki.ca)] } });
  });

  afterAll(async () => {
    await redis.destroy();
  });

  it('connects with rediss://, the CA from NODE_EXTRA_CA_CERTS and the user from REDIS_USERNAME/REDIS_PASSWORD', async () => {
    const out = await probe({
      REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
      REDIS_USERNAME: 'registry',
      REDIS_PASSWORD: 'registry-pw',
      NODE_EXTRA_CA_CERTS: ca,
    });
    expect(out).toBe('PONG');
  });

  it('refuses a server certificate from an unknown CA', async () => {
    const out = await probe({
      REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
      REDIS_USERNAME: 'registry',
      REDIS_PASSWORD: 'registry-pw',
    });
    expect(out).toMatch(/^ERROR .*(self[- ]signed|unable to (verify|get local issuer))/im);
  });

  it('refuses a wrong password for the ACL user', async () => {
    const out = await probe({
      REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
      REDIS_USERNAME: 'registry',
      REDIS_PASSWORD: 'wrong',
      NODE_EXTRA_CA_CERTS: ca,
    });
    expect(out).toMatch(/^ERROR .*WRONGPASS/m);
  });
});
