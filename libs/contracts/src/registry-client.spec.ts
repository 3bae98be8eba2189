import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RegistryAnswerError, RegistryClient, RegistryHttpError } from './registry-client';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in registry on loopback: answers each request with what `answer` says and records what it got. */
describe('RegistryClient', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let answer: (url: string) => { status: number; body?: unknown; delayMs?: number };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const { status, body: out, delayMs } = answer(req.url ?? '');
        setTimeout(() => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(out === undefined ? '' : JSON.stringify(out));
        }, delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
    answer = () => ({ status: 200, body: { ok: true } });
  });

  const ranked = (id: string, current: number, max: number) => ({
    agent_id: id,
    name: id,
    role: 'backend_dev',
    current_tasks: current,
    max_tasks: max,
    load_percentage: (100 * current) / max,
  });

  it('posts heartbeats with the credential and the caller’s headers, to an encoded agent path', async () => {
    const client = new RegistryClient({
      baseUrl: base,
      credential: 'ea_secret',
      decorateHeaders: (headers) => ({ ...headers, traceparent: '00-abc-def-01' }),
    });
    await client.heartbeat('DEV-001', { current_tasks: 1, max_tasks: 4 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/agents/DEV-001/heartbeat' });
    expect(seen[0].headers.authorization).toBe('Bearer ea_secret');
    expect(seen[0].headers.traceparent).toBe('00-abc-def-01');
    expect(JSON.parse(seen[0].body)).toEqual({ current_tasks: 1, max_tasks: 4 });
  });

  it('sends no authorization header without a credential (auth disabled)', async () => {
    await new RegistryClient({ baseUrl: base }).setStatus('QA-001', 'offline');
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(JSON.parse(seen[0].body)).toEqual({ status: 'offline' });
  });

  it('throws a RegistryHttpError carrying the status of a refused call', async () => {
    answer = () => ({ status: 404, body: { code: 'AGENT_NOT_FOUND' } });
    const error = await new RegistryClient({ baseUrl: base }).heartbeat('DEV-009', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect((error as RegistryHttpError).status).toBe(404);
    expect((error as Error).message).toContain('AGENT_NOT_FOUND');
  });

  it('asks discovery by capability, by role, or one agent by id', () => {
    expect(RegistryClient.discoveryPath({ capability: 'sql', min_proficiency: 3, role: 'backend_dev' })).toBe(
      '/api/agents/discover?capability=sql&min_proficiency=3&role=backend_dev',
    );
    expect(RegistryClient.discoveryPath({ capability: 'sql', role: null })).toBe(
      '/api/agents/discover?capability=sql&min_proficiency=1',
    );
    expect(RegistryClient.discoveryPath({ role: 'qa engineer' })).toBe('/api/agents/discover/qa%20engineer');
    expect(RegistryClient.discoveryPath({ agent_id: 'DEV-001', role: 'backend_dev' })).toBe('/api/agents/DEV-001');
    expect(RegistryClient.discoveryPath({})).toBeUndefined();
  });

  it('reads a discovery answer into agents with their load, leaving out entries that are not agents', async () => {
    answer = () => ({
      status: 200,
      body: { agents: [ranked('DEV-001', 0, 4), { agent_id: 'DEV-002' }, ranked('DEV-003', 2, 2)], available_count: 1 },
    });
    const agents = await new RegistryClient({ baseUrl: base }).discover({ role: 'backend_dev' });
    expect(agents).toEqual([
      { agent_id: 'DEV-001', current_tasks: 0, max_tasks: 4 },
      { agent_id: 'DEV-003', current_tasks: 2, max_tasks: 2 },
    ]);
  });

  it('reads one agent by id from its view', async () => {
    answer = () => ({ status: 200, body: { agent_id: 'DEV-001', load: { current_tasks: 3, max_tasks: 4 } } });
    expect(await new RegistryClient({ baseUrl: base }).discover({ agent_id: 'DEV-001' })).toEqual([
      { agent_id: 'DEV-001', current_tasks: 3, max_tasks: 4 },
    ]);
  });

  it('treats an unknown or refused query (404, 400) as no agents, and asks nothing for an empty query', async () => {
    const client = new RegistryClient({ baseUrl: base });
    answer = () => ({ status: 404 });
    expect(await client.discover({ agent_id: 'NOPE-001' })).toEqual([]);
    answer = () => ({ status: 400, body: { message: 'role: bad' } });
    expect(await client.discover({ role: 'x' })).toEqual([]);
    const before = seen.length;
    expect(await client.discover({})).toEqual([]);
    expect(seen).toHaveLength(before);
  });

  it('throws on a server error and on a body that is not the registry API’s', async () => {
    const client = new RegistryClient({ baseUrl: base });
    answer = () => ({ status: 503 });
    await expect(client.discover({ role: 'backend_dev' })).rejects.toMatchObject({ status: 503 });
    answer = () => ({ status: 200, body: { agents: 'none' } });
    await expect(client.discover({ role: 'backend_dev' })).rejects.toBeInstanceOf(RegistryAnswerError);
    answer = () => ({ status: 200, body: { agent_id: 'DEV-001' } });
    await expect(client.discover({ agent_id: 'DEV-001' })).rejects.toBeInstanceOf(RegistryAnswerError);
  });

  it('gives up after its timeout', async () => {
    answer = () => ({ status: 200, body: { agents: [], available_count: 0 }, delayMs: 500 });
    const started = Date.now();
    await expect(new RegistryClient({ baseUrl: base, timeoutMs: 50 }).discover({ role: 'r' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(400);
  });
});
