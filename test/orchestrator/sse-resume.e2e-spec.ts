import { startRegistry, RegistryUnderTest } from '../registry/registry-test-app';
import { SseMessage, SseReader } from '../support/sse-reader';
import { idsOfRoles, Json, TestSystem } from './support/system';

jest.setTimeout(120_000);

/** Every event until the server ends the stream. */
async function readToEnd(reader: SseReader): Promise<SseMessage[]> {
  const all: SseMessage[] = [];
  for (;;) {
    try {
      all.push(await reader.next(() => true, 30_000));
    } catch (error) {
      if ((error as Error).message === 'event stream ended') return all;
      throw error;
    }
  }
}

async function take(url: string, n: number, headers: Record<string, string> = {}): Promise<SseMessage[]> {
  const reader = new SseReader(url, headers);
  await reader.open();
  const got: SseMessage[] = [];
  for (let i = 0; i < n; i++) got.push(await reader.next());
  reader.close();
  return got;
}

describe('resumable event streams (Last-Event-ID)', () => {
  const system = new TestSystem();
  let registryB: RegistryUnderTest | undefined;

  beforeAll(async () => {
    await system.start({ hosts: [idsOfRoles(['project_manager', 'medical_expert', 'qa_engineer'])] });
    await system.agentsOnline(['PM-001', 'QA-001', 'MED-001']);
  });

  afterAll(async () => {
    await registryB?.close().catch(() => undefined);
    await system.stop();
  });

  it('a task stream resumed after its second event gets exactly the rest, in order, then ends', async () => {
    const taskId = (await system.call('POST', '/api/tasks', { title: 'resume me', agent_id: 'QA-001' })).body.task_id;
    const url = `${system.url}/api/tasks/${taskId}/events`;
    const firstTwo = await take(url, 2);
    await system.waitTask(taskId, ['completed']);
    const full = await readToEnd(await open(url));
    const rest = await readToEnd(await open(url, { 'last-event-id': firstTwo[1].id! }));
    expect(full.map((m) => m.event)).toEqual(['accepted', 'dispatched', 'started', 'completed']);
    expect(firstTwo.map((m) => m.id)).toEqual(full.slice(0, 2).map((m) => m.id));
    expect(rest.map((m) => [m.id, m.event])).toEqual(full.slice(2).map((m) => [m.id, m.event]));
    // Resuming after the last event: nothing is resent and the stream ends at once.
    expect(await readToEnd(await open(url, { 'last-event-id': full[3].id! }))).toEqual([]);
  });

  it('a run stream resumed mid-run gets every event after it, in order, across many events', async () => {
    const runId = (
      await system.call('POST', '/api/workflows/mcq_generation/runs', {
        input: { topics: ['Cardiology: heart failure', 'Pulmonology: asthma', 'Nephrology: hyperkalemia'] },
      })
    ).body.run_id;
    const url = `${system.url}/api/workflows/runs/${runId}/events`;
    const firstThree = await take(url, 3);
    await system.waitRun(runId, ['completed']);
    const full = await readToEnd(await open(url));
    expect(full.length).toBeGreaterThan(10); // a run of three items: well past one digit of ids
    const ids = full.map((m) => BigInt(m.id!));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const rest = await readToEnd(await open(url, { 'last-event-id': firstThree[2].id! }));
    expect(rest.map((m) => m.id)).toEqual(full.slice(3).map((m) => m.id));
    expect(rest[rest.length - 1].event).toBe('run_completed');
  });

  it('refuses a Last-Event-ID that is not one of the stream ids with a 400 naming it', async () => {
    const taskId = (await system.call('POST', '/api/tasks', { title: 'bad id', agent_id: 'QA-001' })).body.task_id;
    for (const [base, path] of [
      [system.url, `/api/tasks/${taskId}/events`],
      [system.registry.baseUrl, '/api/agents/events'],
    ]) {
      const r = await fetch(`${base}${path}`, { headers: { 'last-event-id': 'abc; drop table' } });
      const body = (await r.json()) as Json;
      expect([r.status, body.errors[0].field]).toEqual([400, 'Last-Event-ID']);
    }
  });

  it('a registry stream resumed on another replica gets the missed events in order, then live ones', async () => {
    const registry = system.registry;
    const agent = (n: string) => ({
      agent_id: `SSE-${n}`,
      name: `Resume ${n}`,
      role: 'qa_engineer',
      host: 'localhost',
      port: 1,
      capabilities: [],
    });
    const reader = new SseReader(`${registry.baseUrl}/api/agents/events`);
    await reader.open();
    expect((await registry.call('POST', '/api/agents/register', agent('101'))).status).toBe(200);
    const seen = await reader.next((m) => m.event === 'registered' && JSON.parse(m.data).agent_id === 'SSE-101');
    reader.close();
    await registry.call('POST', '/api/agents/register', agent('102'));
    await registry.call('POST', '/api/agents/register', agent('103'));
    await registry.call('POST', '/api/agents/SSE-102/status', { status: 'offline' });

    registryB = await startRegistry({}, registry.prefix); // a second replica of the same registry
    const resumed = new SseReader(`${registryB.baseUrl}/api/agents/events`, { 'last-event-id': seen.id! });
    await resumed.open();
    const missed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await resumed.next((x) => JSON.parse(x.data).agent_id?.startsWith('SSE-'));
      missed.push(`${m.event} ${JSON.parse(m.data).agent_id}`);
    }
    expect(missed).toEqual(['registered SSE-102', 'registered SSE-103', 'status_changed SSE-102']);
    await registry.call('POST', '/api/agents/register', agent('104'));
    const live = await resumed.next((m) => JSON.parse(m.data).agent_id === 'SSE-104');
    expect(live.event).toBe('registered');
    resumed.close();
    for (const n of ['101', '102', '103', '104']) await registry.call('DELETE', `/api/agents/SSE-${n}`);
  });
});

async function open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const reader = new SseReader(url, headers);
  await reader.open();
  return reader;
}
