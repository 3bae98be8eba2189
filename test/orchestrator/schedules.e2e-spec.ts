import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/test-env';
import { call, Json, startOrchestrator, Started, TestSystem, waitFor } from './support/system';

jest.setTimeout(180_000);

interface Fire {
  fire_time: Date;
  trigger: string;
  outcome: string;
  task_id: string | null;
  run_id: string | null;
  claimed_by: string;
}

/** No agent host runs these agents: their tasks stay pending, so a fire's task "is still running". */
const idleTask = (agent: string) => ({ title: 'Nightly check', agent_id: agent, input: { scheduled: true } });
const seconds = (fires: Fire[]) => fires.map((f) => Math.round(f.fire_time.getTime() / 1000));

describe('schedules (two orchestrator replicas, PostgreSQL claims)', () => {
  const system = new TestSystem();
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  const tick = { ORCHESTRATOR_SCHEDULER_TICK_MS: '100', ORCHESTRATOR_SCHEDULE_LATE_TOLERANCE_MS: '1500' };
  let replicaB: Started | undefined;

  const fires = async (scheduleId: string): Promise<Fire[]> =>
    (
      await db.query<Fire>(
        `SELECT fire_time, trigger, outcome, task_id, run_id, claimed_by FROM schedule_fires
         WHERE schedule_id = $1 ORDER BY fire_time`,
        [scheduleId],
      )
    ).rows;
  const create = async (body: Json, base = system.url): Promise<Json> => {
    const r = await call(base, 'POST', '/api/schedules', body);
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    await db.connect();
    await system.start({ orchestratorEnv: tick });
  });

  afterAll(async () => {
    await replicaB?.close().catch(() => undefined);
    await system.stop();
    await db.end();
  });

  it('refuses a bad schedule with a 400 naming the field, and a taken name with 409', async () => {
    const ok = { name: 'v', cron: '0 9 * * MON', target: { task: idleTask('DEV-001') } };
    const cases: [Json, string][] = [
      [{ ...ok, cron: '61 * * * *' }, 'cron'],
      [{ ...ok, timezone: 'Mars/Olympus' }, 'timezone'],
      [{ ...ok, target: { task: idleTask('DEV-001'), workflow: 'mcq_generation' } }, 'target'],
      [{ ...ok, target: { workflow: 'no_such_flow' } }, 'target.workflow'],
      [{ ...ok, target: { workflow: 'mcq_generation', input: {} } }, 'target.input.topics'],
      [{ ...ok, target: { task: { ...idleTask('DEV-001'), role: 'qa_engineer' } } }, 'target.task.agent_id'],
      [{ ...ok, target: { task: { ...idleTask('DEV-001'), idempotency_key: 'k' } } }, 'target.task.idempotency_key'],
      [{ ...ok, target: { task: { title: '', agent_id: 'DEV-001' } } }, 'target.task.title'],
      [{ ...ok, overlap: 'sometimes' }, 'overlap'],
      [{ ...ok, catch_up_max: 0 }, 'catch_up_max'],
      [{ ...ok, target: undefined }, 'target'],
      [{ ...ok, target: null }, 'target'],
    ];
    for (const [body, field] of cases) {
      const r = await system.call('POST', '/api/schedules', body);
      expect([r.status, field, r.body.message]).toEqual([400, field, expect.stringContaining(field)]);
    }
    await create({ ...ok, name: 'taken' });
    const again = await system.call('POST', '/api/schedules', { ...ok, name: 'taken' });
    expect([again.status, again.body.code]).toEqual([409, 'SCHEDULE_NAME_TAKEN']);
  });

  it('lists, changes, pauses, resumes and deletes a schedule, showing its next fire times', async () => {
    const s = await create({
      name: 'weekly-mcq',
      cron: '0 9 * * MON',
      timezone: 'Europe/Berlin',
      target: { workflow: 'mcq_generation', input: { topics: ['Cardiology: heart failure'] } },
    });
    expect(s).toMatchObject({ overlap: 'skip', catch_up: 'last', catch_up_max: 10, paused: false });
    expect(s.next_fire_times).toHaveLength(5);
    // 09:00 in Berlin is 08:00 UTC in winter, 07:00 in summer; always a Monday.
    for (const t of s.next_fire_times as string[]) {
      expect(new Date(t).getUTCDay()).toBe(1);
      expect(['07:00', '08:00']).toContain(t.slice(11, 16));
    }
    const list = await system.call('GET', '/api/schedules');
    expect(list.body.schedules.map((x: Json) => x.name)).toContain('weekly-mcq');
    const changed = await system.call('PATCH', `/api/schedules/${s.schedule_id}`, {
      cron: '30 6 * * *',
      timezone: 'UTC',
    });
    expect(changed.status).toBe(200);
    expect((changed.body.next_fire_times as string[]).every((t) => t.slice(11, 16) === '06:30')).toBe(true);
    const paused = await system.call('POST', `/api/schedules/${s.schedule_id}/pause`);
    expect([paused.body.paused, paused.body.next_fire_times]).toEqual([true, []]);
    const resumed = await system.call('POST', `/api/schedules/${s.schedule_id}/resume`);
    expect(resumed.body.paused).toBe(false);
    expect(new Date(resumed.body.next_fire_at).getTime()).toBeGreaterThan(Date.now());
    expect((await system.call('DELETE', `/api/schedules/${s.schedule_id}`)).status).toBe(204);
    const gone = await system.call('GET', `/api/schedules/${s.schedule_id}`);
    expect([gone.status, gone.body.code]).toEqual([404, 'SCHEDULE_NOT_FOUND']);
  });

  it('an every-second schedule fires once per second across two replicas, also after one stops', async () => {
    replicaB = await startOrchestrator({ ...system.env, ...tick });
    const s = await create({
      name: 'every-second',
      cron: '* * * * * *',
      overlap: 'allow',
      target: { task: idleTask('DEV-003') },
    });
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 8_000));
    await replicaB.close(); // one replica gone; the other keeps the clock
    replicaB = undefined;
    await waitFor('20 s of fires', () => Date.now() - started >= 20_000, 30_000);
    await system.call('POST', `/api/schedules/${s.schedule_id}/pause`);
    // A start in flight when the schedule was paused settles (slow on a loaded machine).
    await waitFor('every claimed fire started', async () =>
      (await fires(s.schedule_id)).every((f) => f.outcome !== 'claimed'),
    );

    const all = await fires(s.schedule_id);
    const secs = seconds(all);
    expect(all.length).toBeGreaterThanOrEqual(17);
    // Every second from the first fire to the last, each once: no gap when the replica stopped, no double.
    expect(secs).toEqual(Array.from({ length: secs.length }, (_, i) => secs[0] + i));
    expect(all.every((f) => f.outcome === 'started' && f.task_id !== null)).toBe(true);
    expect(new Set(all.map((f) => f.task_id)).size).toBe(all.length);
    const tasks = await db.query(`SELECT count(*)::int AS n FROM task_history WHERE idempotency_key LIKE $1`, [
      `schedule:${s.schedule_id}:%`,
    ]);
    expect(tasks.rows[0].n).toBe(all.length);
  });

  it('catches up after every replica was down: all runs each missed fire, none drops them', async () => {
    const all = await create({
      name: 'catch-all',
      cron: '* * * * * *',
      overlap: 'allow',
      catch_up: 'all',
      target: { task: idleTask('DEV-004') },
    });
    const none = await create({
      name: 'catch-none',
      cron: '* * * * * *',
      overlap: 'allow',
      catch_up: 'none',
      target: { task: idleTask('DEV-005') },
    });
    await waitFor(
      'first fires',
      async () => (await fires(all.schedule_id)).length >= 2 && (await fires(none.schedule_id)).length >= 2,
    );
    await system.orchestrator.close(); // no replica runs now
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    system.orchestrator = await startOrchestrator({ ...system.env, ...tick });
    await waitFor('fires after the restart', async () => {
      const f = await fires(none.schedule_id);
      return f.length > 0 && f[f.length - 1].fire_time.getTime() > downAt + 5_000;
    });
    await system.call('POST', `/api/schedules/${all.schedule_id}/pause`);
    await system.call('POST', `/api/schedules/${none.schedule_id}/pause`);

    const a = await fires(all.schedule_id);
    const aSecs = seconds(a);
    expect(aSecs).toEqual(Array.from({ length: aSecs.length }, (_, i) => aSecs[0] + i));
    expect(a.filter((f) => f.trigger === 'catch_up').length).toBeGreaterThanOrEqual(2);
    const n = seconds(await fires(none.schedule_id));
    const gaps = n.slice(1).map((t, i) => t - n[i]);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(3);
    expect((await fires(none.schedule_id)).every((f) => f.trigger === 'cron')).toBe(true);
  });

  it('overlap skip skips while the previous task runs; queue starts the next when it ends', async () => {
    const skip = await create({
      name: 'skip',
      cron: '* * * * * *',
      overlap: 'skip',
      target: { task: idleTask('DEV-006') },
    });
    const queue = await create({
      name: 'queue',
      cron: '* * * * * *',
      overlap: 'queue',
      target: { task: idleTask('DEV-007') },
    });
    await waitFor(
      'three fires of each',
      async () => (await fires(skip.schedule_id)).length >= 3 && (await fires(queue.schedule_id)).length >= 3,
    );
    await system.call('POST', `/api/schedules/${skip.schedule_id}/pause`);
    await system.call('POST', `/api/schedules/${queue.schedule_id}/pause`);

    const s = await fires(skip.schedule_id);
    expect(s[0].outcome).toBe('started');
    expect(s.slice(1).every((f) => f.outcome === 'skipped' && f.task_id === null)).toBe(true);

    const q = await fires(queue.schedule_id);
    expect(q.map((f) => f.outcome).slice(0, 3)).toEqual(['started', 'queued', 'queued']);
    // The first task ends: the oldest queued fire starts, the rest wait their turn.
    expect((await system.call('POST', `/api/tasks/${q[0].task_id}/cancel`)).status).toBe(202);
    await waitFor(
      'the next queued fire started',
      async () => (await fires(queue.schedule_id))[1].outcome === 'started',
    );
    const after = await fires(queue.schedule_id);
    expect(after.slice(2).every((f) => f.outcome === 'queued')).toBe(true);
    const view = await system.call('GET', `/api/schedules/${queue.schedule_id}`);
    expect(view.body.fires.map((f: Json) => f.outcome)).toContain('started');
  });

  it('trigger now fires once under the overlap policy', async () => {
    const s = await create({
      name: 'manual',
      cron: '0 0 1 1 *',
      overlap: 'skip',
      target: { task: idleTask('DEV-008') },
    });
    const first = await system.call('POST', `/api/schedules/${s.schedule_id}/trigger`);
    expect([first.status, first.body.trigger, first.body.outcome]).toEqual([200, 'manual', 'started']);
    const task = await system.call('GET', `/api/tasks/${first.body.task_id}`);
    expect(task.body.title).toBe('Nightly check');
    const second = await system.call('POST', `/api/schedules/${s.schedule_id}/trigger`);
    expect(second.body.outcome).toBe('skipped');
  });

  it('a claim whose replica died before starting it is taken over and started exactly once', async () => {
    const s = await create({
      name: 'orphan',
      cron: '0 0 1 1 *',
      overlap: 'allow',
      target: { task: idleTask('DEV-009') },
    });
    const fireTime = new Date(Date.now() - 60_000);
    await db.query(
      `INSERT INTO schedule_fires (schedule_id, fire_time, trigger, outcome, claimed_by, claimed_at)
       VALUES ($1, $2, 'cron', 'claimed', 'replica-that-died', now() - interval '30 seconds')`,
      [s.schedule_id, fireTime],
    );
    await waitFor('the orphaned claim started', async () => (await fires(s.schedule_id))[0]?.outcome === 'started');
    const [fire] = await fires(s.schedule_id);
    expect(fire.claimed_by).not.toBe('replica-that-died');
    const tasks = await db.query(`SELECT task_id FROM task_history WHERE idempotency_key = $1`, [
      `schedule:${s.schedule_id}:${fireTime.toISOString()}`,
    ]);
    expect(tasks.rows.map((r: Json) => r.task_id)).toEqual([fire.task_id]);
  });
});
