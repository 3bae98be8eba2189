import { freePort, idsOfRoles } from '../orchestrator/support/system';
import { OwnPostgres } from './support/own-postgres';
import { OwnSentinelSet } from './support/own-sentinel';
import { call, OutageApp, outageEnv, waitFor } from './support/outage-system';

jest.setTimeout(420_000);

describe('the whole system on a Redis Sentinel set: a failover under load loses no accepted task', () => {
  let pg: OwnPostgres;
  const sentinel = new OwnSentinelSet();
  const apps: OutageApp[] = [];
  const backendIds = idsOfRoles(['backend_dev']).split(',');

  beforeAll(async () => {
    pg = new OwnPostgres(await freePort());
    await pg.start();
    const databaseUrl = await pg.createDatabase('ea_sentinel');
    await sentinel.start();
    const env = { ...outageEnv(databaseUrl, sentinel.url), ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'false' };
    const registry = await OutageApp.create('registry', env);
    apps.push(registry);
    await registry.becomesReady();
    const shared = { ...env, REGISTRY_URL: registry.baseUrl };
    // Short attempt deadlines: what the failover dropped from the bus is re-dispatched from PostgreSQL soon.
    apps.push(await OutageApp.create('orchestrator', { ...shared, ORCHESTRATOR_TASK_TIMEOUT_SECONDS: '15' }));
    apps.push(
      await OutageApp.create('agent-host', {
        ...shared,
        AGENT_IDS: backendIds.join(','),
        AGENT_HOST_INSTANCE_ID: 'host-sentinel-1',
        SCRIPTED_LATENCY_MS: '200',
      }),
    );
    for (const app of apps) await app.becomesReady();
    await waitFor(
      'the backend agents online',
      async () => {
        const r = await call(registry.baseUrl, 'GET', '/api/agents?role=backend_dev&status=online');
        return r.body.agents?.length === backendIds.length;
      },
      60_000,
      250,
    );
  });

  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await sentinel.destroy();
    await pg?.destroy();
  });

  it('every task accepted before, during and after the master is SIGKILLed completes, none twice', async () => {
    const orchestrator = apps[1];
    const ids = new Map<string, string>();
    const submit = async (i: number) => {
      const key = `sentinel-${i}`;
      await waitFor(
        `task ${i} accepted`,
        async () => {
          const r = await call(orchestrator.baseUrl, 'POST', '/api/tasks', { title: `failover ${i}`, role: 'backend_dev', idempotency_key: key }).catch(() => undefined); // prettier-ignore
          if (r?.status !== 202 && r?.status !== 200) return false;
          const previous = ids.get(key);
          if (previous && previous !== r.body.task_id) throw new Error(`idempotency key ${key} gave two tasks`);
          ids.set(key, r.body.task_id);
          return true;
        },
        60_000,
        250,
      );
    };
    for (let i = 0; i < 30; i++) await submit(i);
    const failover = sentinel.failover();
    for (let i = 30; i < 60; i++) await submit(i);
    await failover;
    for (let i = 60; i < 80; i++) await submit(i);

    const finals = await waitFor(
      'every accepted task final',
      async () => {
        for (const app of apps) app.assertAlive();
        const r = await Promise.all(
          [...ids.values()].map((id) => call(orchestrator.baseUrl, 'GET', `/api/tasks/${id}`)),
        );
        const statuses = r.map((x) => x.body?.status as string);
        return statuses.every((s) => ['completed', 'failed', 'canceled'].includes(s)) ? statuses : undefined;
      },
      240_000,
      1_000,
    );
    expect(ids.size).toBe(80);
    expect(finals.filter((s) => s !== 'completed')).toEqual([]);
    for (const app of apps) app.assertAlive();
  });
});
