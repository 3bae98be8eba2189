import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { lastValueFrom, timeout } from 'rxjs';
import { OrchestratorPatterns } from '@app/contracts';
import { nestRedisOptions } from '../../apps/orchestrator/src/orchestrator.bootstrap';
import { freePort, idsOfRoles } from '../orchestrator/support/system';
import { OwnRedis } from '../transport/support/transport-harness';
import { OwnPostgres } from './support/own-postgres';
import { call, OutageApp, outageEnv, waitFor } from './support/outage-system';

// Real processes from the TypeScript sources against a private PostgreSQL and redis-server: slow on a shared machine.
jest.setTimeout(420_000);

/** One stock Nest Redis transport request; resolves with the reply or rejects (no answer within 5 s included). */
async function nestRequest(redisUrl: string, pattern: string, payload: unknown): Promise<unknown> {
  const client: ClientProxy = ClientProxyFactory.create({
    transport: Transport.REDIS,
    options: nestRedisOptions(redisUrl),
  });
  try {
    await client.connect();
    return await lastValueFrom(client.send(pattern, payload).pipe(timeout(5_000)));
  } finally {
    await client.close();
  }
}

describe('Outages are waited out: apps start while PostgreSQL or Redis is down and never exit for it', () => {
  let pg: OwnPostgres;
  let redis: OwnRedis;
  let env: Record<string, string>;
  const apps: OutageApp[] = [];
  let registry: OutageApp;
  let orchestrator: OutageApp;
  let host: OutageApp;
  const backendIds = idsOfRoles(['backend_dev']).split(',');

  beforeAll(async () => {
    pg = new OwnPostgres(await freePort());
    await pg.start();
    const databaseUrl = await pg.createDatabase('ea_outage');
    redis = new OwnRedis(await freePort());
    await redis.start();
    env = outageEnv(databaseUrl, redis.url);
  });

  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await redis?.destroy();
    await pg?.destroy();
  });

  it('a registry started while PostgreSQL is down is live, not ready, and becomes ready when it returns', async () => {
    await pg.stop();
    registry = await OutageApp.create('registry', env);
    apps.push(registry);
    await registry.waitsFor('database');
    const other = await call(registry.baseUrl, 'GET', '/api/agents');
    expect(other.status).toBe(503);
    expect(other.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', path: '/api/agents' });
    expect(other.body.message).toMatch(/waiting for PostgreSQL/);

    await pg.start();
    await registry.becomesReady();
    expect((await call(registry.baseUrl, 'GET', '/api/agents')).status).toBe(200);
  });

  it('an orchestrator started while Redis is down waits, becomes ready, and its Nest Redis endpoint survives a Redis restart', async () => {
    await redis.kill();
    orchestrator = await OutageApp.create('orchestrator', {
      ...env,
      REGISTRY_URL: registry.baseUrl,
      ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'true',
      ORCHESTRATOR_INSTANCE_ID: 'orch-outage-1',
    });
    apps.push(orchestrator);
    await orchestrator.waitsFor('redis');
    expect((await orchestrator.ready())?.body.message).toMatch(/waiting for Redis/);
    registry.assertAlive();

    await redis.start();
    await orchestrator.becomesReady();
    await registry.becomesReady();
    const submitted = (await nestRequest(redis.url, OrchestratorPatterns.SubmitTask, {
      title: 'via Nest Redis before the restart',
      role: 'backend_dev',
      idempotency_key: 'outage-nest-1',
    })) as { task_id: string };
    expect(submitted.task_id).toEqual(expect.any(String));

    await redis.kill();
    await orchestrator.waitsFor('redis', 1_000);
    await redis.start();
    // Nest's transport used to stop for good here ("No further reconnection attempts will be made").
    const task = await waitFor(
      'the Nest Redis endpoint to answer again after the Redis restart',
      async () => {
        orchestrator.assertAlive();
        return (await nestRequest(redis.url, OrchestratorPatterns.GetTask, { task_id: submitted.task_id }).catch(
          () => undefined,
        )) as { task_id: string } | undefined;
      },
      90_000,
      500,
    );
    expect(task.task_id).toBe(submitted.task_id);
    registry.assertAlive();
  });

  it('an agent host started while PostgreSQL is down waits; a 5 s PostgreSQL restart during work dead-letters no result and every task completes', async () => {
    await pg.stop();
    host = await OutageApp.create('agent-host', {
      ...env,
      REGISTRY_URL: registry.baseUrl,
      AGENT_IDS: backendIds.join(','),
      AGENT_HOST_INSTANCE_ID: 'host-outage-1',
      SCRIPTED_LATENCY_MS: '300',
    });
    apps.push(host);
    await host.waitsFor('database');
    expect((await host.ready())?.body.message).toMatch(/waiting for PostgreSQL/);
    await pg.start();
    await host.becomesReady();
    await orchestrator.becomesReady();
    await waitFor(
      'the backend agents online',
      async () => {
        const r = await call(registry.baseUrl, 'GET', '/api/agents?role=backend_dev&status=online');
        return r.status === 200 && r.body.agents?.length === backendIds.length;
      },
      60_000,
      250,
    );

    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await call(orchestrator.baseUrl, 'POST', '/api/tasks', {
        title: `outage work ${i}`,
        role: 'backend_dev',
        idempotency_key: `outage-work-${i}`,
      });
      expect(r.status).toBe(202);
      ids.push(r.body.task_id);
    }
    // The outage starts while results are flowing back.
    await waitFor('some tasks completed', async () => {
      const r = await call(orchestrator.baseUrl, 'GET', '/api/tasks?status=completed&limit=100');
      return (r.body.tasks?.length ?? 0) >= 3;
    }, 60_000, 100); // prettier-ignore
    await pg.stop();
    const outageStarted = Date.now();
    await waitFor('5 s of PostgreSQL outage', () => Date.now() - outageStarted >= 5_000 && true, 10_000, 100);
    for (const app of apps) app.assertAlive();
    await pg.start();

    const finals = await waitFor(
      'every task final',
      async () => {
        for (const app of apps) app.assertAlive();
        const bodies = await Promise.all(ids.map((id) => call(orchestrator.baseUrl, 'GET', `/api/tasks/${id}`)));
        const statuses = bodies.map((b) => b.body?.status as string | undefined);
        return statuses.every((s) => s === 'completed' || s === 'failed' || s === 'canceled') ? statuses : undefined;
      },
      180_000,
      500,
    );
    expect(finals.filter((s) => s !== 'completed')).toEqual([]);
    const results = await call(orchestrator.baseUrl, 'GET', '/api/bus/streams/orchestrator.results');
    expect(results.status).toBe(200);
    expect(results.body.dead_letters).toBe(0);
    // Results did arrive during the outage: they were held and retried in place, not counted as deliveries.
    const metrics = await call(orchestrator.baseUrl, 'GET', '/metrics');
    const held =
      /transport_messages_redelivered_total\{[^}]*address="orchestrator\.results"[^}]*cause="outage"[^}]*\} (\d+)/.exec(
        metrics.text,
      );
    expect(Number(held?.[1] ?? 0)).toBeGreaterThan(0);
    for (const app of apps) app.assertAlive();
  });
});
