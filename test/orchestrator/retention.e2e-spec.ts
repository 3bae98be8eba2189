import { Client } from 'pg';
import { RetentionService } from '../../apps/orchestrator/src/retention/retention.service';
import { TEST_DATABASE_URL } from '../support/test-env';
import { call, idsOfRoles, Json, startOrchestrator, Started, TestSystem } from './support/system';

jest.setTimeout(180_000);

describe('retention (finished history older than ORCHESTRATOR_RETENTION_DAYS)', () => {
  const system = new TestSystem();
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  let archiver: Started | undefined;

  const submit = async (body: Json): Promise<string> => (await system.call('POST', '/api/tasks', body)).body.task_id;
  const age = (table: 'task_history' | 'workflow_runs', key: string, ids: string[], days: number) =>
    db.query(
      `UPDATE ${table} SET created_at = now() - make_interval(days => $2), completed_at = CASE WHEN completed_at IS NULL
         THEN NULL ELSE now() - make_interval(days => $2) END WHERE ${key} = ANY($1::uuid[])`,
      [ids, days],
    );
  const count = async (sql: string, ids: string[]): Promise<number> =>
    (await db.query<{ n: number }>(sql, [ids])).rows[0].n;
  const tasksLeft = (ids: string[]) =>
    count(`SELECT count(*)::int AS n FROM task_history WHERE task_id = ANY($1::uuid[])`, ids);

  beforeAll(async () => {
    await db.connect();
    await system.start({
      hosts: [idsOfRoles(['project_manager', 'medical_expert', 'qa_engineer'])],
      orchestratorEnv: { ORCHESTRATOR_RETENTION_DAYS: '30', ORCHESTRATOR_RETENTION_BATCH: '2' },
    });
    await system.agentsOnline(['PM-001', 'QA-001', 'MED-001']);
  });

  afterAll(async () => {
    await archiver?.close().catch(() => undefined);
    await system.stop();
    await db.end();
  });

  it('deletes only what is old and finished: tasks with attempts and events, runs with steps and events', async () => {
    const oldDone = [
      await submit({ title: 'old 1', agent_id: 'QA-001' }),
      await submit({ title: 'old 2', agent_id: 'QA-002' }),
      await submit({ title: 'old 3', agent_id: 'QA-001' }),
    ];
    const recentDone = await submit({ title: 'recent', agent_id: 'QA-001' });
    const oldRunning = await submit({ title: 'never picked up', agent_id: 'DEV-001' }); // no host runs DEV-001
    for (const id of [...oldDone, recentDone]) await system.waitTask(id, ['completed']);
    const run = (
      await system.call('POST', '/api/workflows/mcq_generation/runs', {
        input: { topics: ['Cardiology: heart failure'] },
      })
    ).body.run_id;
    await system.waitRun(run, ['completed']);
    const runTasks = (await db.query(`SELECT task_id FROM task_history WHERE workflow_run_id = $1`, [run])).rows.map(
      (r: Json) => r.task_id as string,
    );
    expect(runTasks.length).toBeGreaterThanOrEqual(3);
    await age('task_history', 'task_id', [...oldDone, oldRunning, ...runTasks], 40);
    await age('workflow_runs', 'run_id', [run], 40);
    expect(
      await count(`SELECT count(*)::int AS n FROM task_events WHERE task_id = ANY($1::uuid[])`, oldDone),
    ).toBeGreaterThan(0);

    // Webhook deliveries: finished ones past the age go, pending ones stay whatever their age.
    const hook = (
      await db.query(
        `INSERT INTO webhook_subscriptions (webhook_id, url, secret, event_types)
         VALUES (gen_random_uuid(), 'http://127.0.0.1:9/', 'whsec_test', '{dead_letter.created}') RETURNING webhook_id`,
      )
    ).rows[0].webhook_id as string;
    await db.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, created_at, finished_at, next_attempt_at)
       SELECT $1, e, 'dead_letter.created', '{}', s, now() - make_interval(days => d + 1), CASE WHEN s = 'pending' THEN NULL
              ELSE now() - make_interval(days => d) END, now() + interval '1 day'
         FROM (VALUES ('old-delivered', 'delivered', 40), ('old-dead', 'dead', 40), ('recent', 'delivered', 1),
                      ('old-pending', 'pending', 40)) v(e, s, d)`,
      [hook],
    );

    const retention = system.orchestrator.app.get(RetentionService);
    const removed = await retention.pass();
    // batches of 2, until none is left
    expect(removed).toEqual({ tasks: 3 + runTasks.length, runs: 1, schedule_fires: 0, webhook_deliveries: 2 });
    const hooksLeft = await db.query(
      `SELECT event_id FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY event_id`,
      [hook],
    );
    expect(hooksLeft.rows.map((r: Json) => r.event_id)).toEqual(['old-pending', 'recent']);
    await db.query(`DELETE FROM webhook_subscriptions WHERE webhook_id = $1`, [hook]);

    expect(await tasksLeft(oldDone)).toBe(0);
    expect(await tasksLeft(runTasks)).toBe(0);
    expect(await tasksLeft([recentDone, oldRunning])).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM task_events WHERE task_id = ANY($1::uuid[])`, oldDone)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM task_attempts WHERE task_id = ANY($1::uuid[])`, oldDone)).toBe(
      0,
    );
    expect(await count(`SELECT count(*)::int AS n FROM workflow_steps WHERE run_id = ANY($1::uuid[])`, [run])).toBe(0);
    expect((await system.call('GET', `/api/workflows/runs/${run}`)).status).toBe(404);
    expect((await system.call('GET', `/api/tasks/${recentDone}`)).body.status).toBe('completed');
    expect(await retention.pass()).toEqual({ tasks: 0, runs: 0, schedule_fires: 0, webhook_deliveries: 0 });
    const metrics = (await call(system.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(
      new RegExp(`orchestrator_retention_removed_total\\{kind="tasks",mode="delete"[^}]*\\} ${3 + runTasks.length}`),
    );
  });

  it('archive mode moves each task with its attempts and events into archived_records', async () => {
    archiver = await startOrchestrator({ ...system.env, ORCHESTRATOR_RETENTION_MODE: 'archive' });
    const id = await submit({ title: 'to archive', agent_id: 'QA-001' });
    await system.waitTask(id, ['completed']);
    await age('task_history', 'task_id', [id], 31);
    expect((await archiver.app.get(RetentionService).pass()).tasks).toBe(1);
    expect(await tasksLeft([id])).toBe(0);
    const { rows } = await db.query(`SELECT record FROM archived_records WHERE kind = 'task' AND id = $1`, [id]);
    expect(rows).toHaveLength(1);
    const record = rows[0].record;
    expect(record.task).toMatchObject({ task_id: id, task_title: 'to archive', status: 'completed' });
    expect(record.attempts.length).toBe(1);
    expect(record.events.map((e: Json) => e.type)).toEqual(expect.arrayContaining(['accepted', 'completed']));
  });
});
