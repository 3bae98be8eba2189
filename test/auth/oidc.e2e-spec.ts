import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { bearer, request } from './support/keys';

/** OIDC bearer tokens: verified against the provider's JWKS; scopes from the configured claim. */
describe('OIDC bearer tokens (auth on)', () => {
  let jwks: Server;
  let registry: RegistryUnderTest;
  let sign: (claims: Record<string, unknown>, audience?: string, issuer?: string) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
    sign = (claims, audience = 'expert-agents', issuer = 'https://idp.test') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject('user-42')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    registry = await startRegistry({
      AUTH_MODE: 'on',
      OIDC_ISSUER: 'https://idp.test',
      OIDC_AUDIENCE: 'expert-agents',
      OIDC_JWKS_URL: url,
      OIDC_SCOPES_CLAIM: 'scp',
    });
  });

  afterAll(async () => {
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it('maps a valid token to an oidc principal with the scopes of the claim', async () => {
    const token = await sign({ scp: ['registry:read'], preferred_username: 'alice' });
    const me = await request(registry.baseUrl, 'GET', '/api/auth/me', { headers: bearer(token) });
    expect(me.body).toEqual({ id: 'oidc:user-42', kind: 'oidc', name: 'alice', scopes: ['registry:read'] });
    expect((await request(registry.baseUrl, 'GET', '/api/agents', { headers: bearer(token) })).status).toBe(200);
    const del = await request(registry.baseUrl, 'DELETE', '/api/agents/QA-001', { headers: bearer(token) });
    expect(del.status).toBe(403);
  });

  it('refuses a token for another audience, from another issuer, or signed by another key', async () => {
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({ scp: ['registry:read'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer('https://idp.test')
      .setAudience('expert-agents')
      .setExpirationTime('5m')
      .sign(other.privateKey);
    for (const token of [
      await sign({ scp: ['registry:read'] }, 'someone-else'),
      await sign({ scp: ['registry:read'] }, 'expert-agents', 'https://evil.test'),
      forged,
    ]) {
      const r = await request(registry.baseUrl, 'GET', '/api/agents', { headers: bearer(token) });
      expect(r.status).toBe(401);
    }
  });
});
