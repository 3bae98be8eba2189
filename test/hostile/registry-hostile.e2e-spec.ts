import { cleanupRegistryKeys, nextAgentId, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { expectUniformError, rawRequest } from './raw-http';

/** Regression tests for issue 12 at the HTTP edge (createHttpApp, the validation pipe), through the registry. */
describe('hostile input at the registry', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  });

  afterAll(async () => {
    await registry.close();
    await cleanupRegistryKeys(registry.prefix);
  });

  const valid = () => ({
    agent_id: nextAgentId('HOS'),
    name: 'Hostile input target',
    role: 'backend_dev',
    host: 'localhost',
    port: 6001,
  });

  it('refuses JSON nested 5,000 deep with 400 naming body (before any parser recursion)', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const path of ['/api/agents/register', `/api/agents/${nextAgentId('HOS')}/heartbeat`]) {
      const reply = await registry.call('POST', path, `{"metadata":${deep}}`);
      expect(reply.status).toBe(400);
      expectUniformError(reply.body, 400, /^body: JSON is nested deeper than \d+ levels/);
    }
  });

  it('refuses an ordinary-sized body nested 70 levels deep (the default limit is 64)', async () => {
    let metadata: unknown = 'leaf';
    for (let i = 0; i < 70; i++) metadata = { a: metadata };
    const reply = await registry.call('POST', '/api/agents/register', { ...valid(), metadata });
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, 'body');
  });

  it.each([
    ['name', { name: 'a\u0000b' }, 'name'],
    ['host', { host: 'h\u0000' }, 'host'],
    ['metadata value', { metadata: { notes: ['ok', 'x\u0000'] } }, 'metadata.notes[1]'],
    ['metadata key', { metadata: { 'k\u0000': 1 } }, 'metadata'],
    ['a lone surrogate', { name: 'a\ud800b' }, 'name'],
  ])('refuses NUL and unstorable text in %s with 400 naming the field', async (_what, patch, field) => {
    const reply = await registry.call('POST', '/api/agents/register', { ...valid(), ...patch });
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, field);
    expect(reply.body.errors).toEqual([expect.objectContaining({ field })]);
  });

  it('refuses capabilities: [[[]]] with 400 naming capabilities', async () => {
    const reply = await registry.call('POST', '/api/agents/register', { ...valid(), capabilities: [[[]]] });
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, 'capabilities');
  });

  it('refuses __proto__ and constructor.prototype keys in a body', async () => {
    const proto = await registry.call(
      'POST',
      '/api/agents/register',
      `{"agent_id":"HOS-900","name":"n","role":"backend_dev","host":"h","port":1,"__proto__":{"x":1}}`,
    );
    expect(proto.status).toBe(400);
    expectUniformError(proto.body, 400, 'body');
  });

  it.each([
    ['/api/agents?capability=%00', 'capability'],
    ['/api/agents/discover?capability=%00', 'capability'],
    ['/api/agents?role=%ED%A0%80', 'role'],
    ['/api/agents/%00', 'agent_id'],
  ])('refuses %s with 400 naming the parameter', async (path, field) => {
    const reply = await registry.call('GET', path);
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, field);
  });

  it('answers a bad percent-encoding in the path with the uniform body', async () => {
    const reply = await registry.call('GET', '/api/agents/%E0%A4%A');
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, /^path: /);
    expect(reply.body.path).toBe('/api/agents/%E0%A4%A');
  });

  it('answers an over-long path parameter with 414 and the uniform body', async () => {
    const reply = await registry.call('GET', `/api/agents/${'A'.repeat(300)}`);
    expect(reply.status).toBe(414);
    expectUniformError(reply.body, 414, /^path: /);
  });

  it('answers raw FF FE bytes in the path with 400 and the uniform body', async () => {
    const request = Buffer.concat([
      Buffer.from('GET /api/agents/'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
    ]);
    const reply = await rawRequest(registry.baseUrl, request);
    expect(reply.status).toBe(400);
    expectUniformError(reply.body, 400, /^path: /);
    expect(reply.body.path).toBe('/api/agents/%FF%FE');
    expect(reply.headers['x-request-id']).toBe(reply.body.request_id);
  });

  it('answers oversized headers with 431 and the uniform body', async () => {
    const request = `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    const reply = await rawRequest(registry.baseUrl, request);
    expect(reply.status).toBe(431);
    expectUniformError(reply.body, 431, /^headers: /);
    expect(reply.body.path).toBe('/health');
  });

  it('treats null in an optional field as absent instead of storing it (was a 500 on load reports)', async () => {
    const body = valid();
    expect((await registry.call('POST', '/api/agents/register', body)).status).toBe(200);
    const reply = await registry.call('POST', `/api/agents/${body.agent_id}/load`, {
      current_tasks: 1,
      max_tasks: null,
    });
    expect(reply.status).toBeLessThan(500);
    const empty = await registry.call('POST', `/api/agents/${body.agent_id}/load`, { max_tasks: null });
    expect(empty.status).toBe(400);
    expectUniformError(empty.body, 400, /current_tasks|max_tasks|load/);
  });

  it('still serves ordinary requests after all of that', async () => {
    const body = valid();
    const reply = await registry.call('POST', '/api/agents/register', body);
    expect(reply.status).toBe(200);
    expect((await registry.call('GET', `/api/agents/${body.agent_id}`)).status).toBe(200);
  });
});
