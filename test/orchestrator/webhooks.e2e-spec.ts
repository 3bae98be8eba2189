import Redis from 'ioredis';
import { TEST_REDIS_URL } from '../support/test-env';
import { idsOfRoles, Json, startOrchestrator, waitFor } from './support/system';
import { WebhooksFixture } from './support/webhooks-fixture';

jest.setTimeout(180_000);

describe('webhooks (PostgreSQL outbox, signed deliveries, retries, dead state and replay)', () => {
  const f = new WebhooksFixture();
  const { system, db, extra } = f;
  // The first retry comes 2-4 s after a failure: the restart below always falls between failures and success.
  const hookEnv = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_BASE_MS: '4000' };
  const receiver = () => f.receiver();
  const subscribe = (body: Json) => f.subscribe(body);
  const submit = (title: string) => f.submit(title);
  const deliveries = (webhookId: string) => f.deliveries(webhookId);
  const signedBy = WebhooksFixture.signedBy;

  beforeAll(() => f.start(hookEnv));
  afterAll(() => f.stop());

  it('a receiver failing the first 3 deliveries gets each event once, signed, across an orchestrator restart', async () => {
    const rx = await receiver();
    rx.answer = (n) => (n <= 3 ? 500 : 200);
    const hook = await subscribe({ url: rx.url, event_types: ['task.status_changed'], description: 'done-when' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const shown = await system.call('GET', `/api/webhooks/${hook.webhook_id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.secret).toBeUndefined();
    expect((await system.call('GET', '/api/webhooks')).body.webhooks.every((w: Json) => w.secret === undefined)).toBe(
      true,
    );

    const a = await submit('webhook a');
    const b = await submit('webhook b');
    expect((await system.call('POST', `/api/tasks/${b}/cancel`)).status).toBe(202);
    await waitFor('the first 3 deliveries to fail', () => rx.requests.length >= 3);
    await system.orchestrator.close(); // in-flight attempts are recorded before it stops
    const atRestart = await deliveries(hook.webhook_id);
    expect(atRestart).toHaveLength(3); // accepted a, accepted b, canceled b
    expect(atRestart.some((d) => d.status === 'pending')).toBe(true);

    system.orchestrator = await startOrchestrator({ ...system.env, ...hookEnv });
    await waitFor(
      'every delivery delivered',
      async () => (await deliveries(hook.webhook_id)).every((d) => d.status === 'delivered'),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive

    const eventIds = (await deliveries(hook.webhook_id)).map((d) => d.event_id).sort();
    const acceptedIds = rx.accepted.map((r) => r.headers['webhook-id'] as string).sort();
    expect(acceptedIds).toEqual(eventIds); // each event once
    expect(rx.requests.slice(0, 3).map((r) => r.status)).toEqual([500, 500, 500]);
    expect(rx.requests.every((r) => signedBy(hook.secret, r))).toBe(true);
    expect(rx.requests.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
    const events = rx.events();
    expect(events.map((e) => [e.data.task_id, e.data.status]).sort()).toEqual(
      [
        [a, 'pending'],
        [b, 'pending'],
        [b, 'canceled'],
      ].sort(),
    );
    expect(events.every((e) => e.type === 'task.status_changed')).toBe(true);

    const listed = await system.call('GET', `/api/webhooks/${hook.webhook_id}/deliveries`);
    expect(listed.status).toBe(200);
    const attempts = (listed.body.deliveries as Json[]).flatMap((d) => d.attempt_log as Json[]);
    expect(attempts).toHaveLength(rx.requests.length);
    expect(attempts.filter((x) => x.status_code === 500)).toHaveLength(3);
    expect(attempts.filter((x) => x.status_code === 200)).toHaveLength(3);
    for (const d of listed.body.deliveries as Json[]) {
      expect(d.attempt_log.map((x: Json) => x.attempt)).toEqual(Array.from({ length: d.attempts }, (_, i) => i + 1));
    }
    expect((await system.call('GET', `/api/webhooks/${hook.webhook_id}`)).body.deliveries).toEqual({
      pending: 0,
      delivered: 3,
      dead: 0,
    });
    expect((await system.call('DELETE', `/api/webhooks/${hook.webhook_id}`)).status).toBe(204);
    expect((await system.call('GET', `/api/webhooks/${hook.webhook_id}`)).body.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('per-task, per-run and global subscriptions get only their events (run, approval, dead letter)', async () => {
    const a = await submit('only a');
    const b = await submit('not b');
    const started = await system.call('POST', '/api/workflows/mcq_generation/runs', {
      input: { topics: ['Cardiology: heart failure'] },
    });
    expect(started.status).toBe(202);
    const run = started.body.run_id as string;
    await waitFor('the run to create its first task', async () => {
      const r = await db.query(`SELECT 1 FROM task_history WHERE workflow_run_id = $1`, [run]);
      return r.rows.length > 0;
    });

    const [perTask, perRun, globalRuns, ops] = [await receiver(), await receiver(), await receiver(), await receiver()];
    await subscribe({ url: perTask.url, event_types: ['task.status_changed', 'run.status_changed'], task_id: a });
    await subscribe({ url: perRun.url, event_types: ['task.status_changed', 'run.status_changed'], run_id: run });
    await subscribe({ url: globalRuns.url, event_types: ['run.status_changed'] });
    await subscribe({ url: ops.url, event_types: ['approval.needed', 'dead_letter.created'] });

    for (const t of [a, b]) expect((await system.call('POST', `/api/tasks/${t}/cancel`)).status).toBe(202);
    expect((await system.call('POST', `/api/workflows/runs/${run}/cancel`)).status).toBe(202);
    const runTasks = (await db.query(`SELECT task_id FROM task_history WHERE workflow_run_id = $1`, [run])).rows.map(
      (r: Json) => r.task_id as string,
    );
    // The engine's approval step and the host's dead-letter report, written as they are written in production.
    await db.query(
      `INSERT INTO workflow_events (run_id, type, step_key, detail) VALUES ($1, 'input_required', 'approval#1', $2)`,
      [run, { prompt: 'Ship it?', decisions: ['approve', 'reject'] }],
    );
    await db.query(
      `INSERT INTO task_events (task_id, attempt, type, status, agent_id, detail) VALUES ($1, 1, 'failed', 'failed', 'DEV-001', $2)`,
      [b, { error: 'dead_lettered (max_deliveries) after 5 delivery attempt(s): boom' }],
    );

    await waitFor('the per-task event', () => perTask.accepted.length >= 1);
    await waitFor('the per-run events', () => perRun.events().some((e) => e.data.event === 'run_canceled'));
    await waitFor('the global run events', () => globalRuns.events().some((e) => e.data.event === 'input_required'));
    // A dead letter of the orchestrator's own results stream lives only in Redis: the transport hook writes it.
    const redis = new Redis(TEST_REDIS_URL);
    const entry = await redis.xadd(
      `${system.transportPrefix}:{orchestrator.results}:stream`,
      '*',
      'envelope',
      '{"not":"an envelope"}',
    );
    redis.disconnect();
    await waitFor('approval and dead letters', () => ops.accepted.length >= 3);
    await new Promise((r) => setTimeout(r, 700)); // nothing else arrives

    expect(perTask.events().map((e) => [e.type, e.data.task_id, e.data.status])).toEqual([
      ['task.status_changed', a, 'canceled'],
    ]);
    const runEvents = perRun.events();
    expect(
      runEvents
        .filter((e) => e.type === 'run.status_changed')
        .map((e) => e.data.status)
        .sort(),
    ).toEqual(['canceled', 'input_required']);
    const taskEvents = runEvents.filter((e) => e.type === 'task.status_changed');
    expect(taskEvents.length).toBeGreaterThan(0);
    expect(taskEvents.every((e) => runTasks.includes(e.data.task_id as string) && e.data.run_id === run)).toBe(true);
    expect(globalRuns.events().every((e) => e.type === 'run.status_changed' && e.data.run_id === run)).toBe(true);
    expect(
      ops
        .events()
        .map((e) => [e.type, e.data.run_id ?? e.data.task_id])
        .sort(),
    ).toEqual(
      [
        ['approval.needed', run],
        ['dead_letter.created', b],
        ['dead_letter.created', undefined],
      ].sort(),
    );
    const bus = ops.events().find((e) => e.id.startsWith('bus_dead_letter:'))!;
    expect(bus.id).toBe(`bus_dead_letter:orchestrator.results:${entry}`);
    expect(bus.data).toMatchObject({ address: 'orchestrator.results', entry_id: entry, reason: 'invalid_envelope' });
    const approval = ops.events().find((e) => e.type === 'approval.needed')!;
    expect(approval.data).toMatchObject({
      step_key: 'approval#1',
      prompt: 'Ship it?',
      decisions: ['approve', 'reject'],
    });
    expect(approval.id).toMatch(/^approval:\d+$/);
  });

  it('two replicas share the outbox: each delivery is sent once', async () => {
    const replica = await startOrchestrator({ ...system.env, ...hookEnv, WEBHOOK_BATCH: '3' });
    extra.push(replica);
    const rx = await receiver();
    const hook = await subscribe({ url: rx.url, event_types: ['task.status_changed'] });
    for (let i = 0; i < 20; i++) await submit(`replicas ${i}`);
    await waitFor('20 deliveries', () => rx.accepted.length >= 20);
    await new Promise((r) => setTimeout(r, 500));
    const ids = rx.accepted.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    const attempts = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d USING (delivery_id)
        WHERE d.webhook_id = $1`,
      [hook.webhook_id],
    );
    expect(attempts.rows[0].n).toBe(20);
    await replica.close();
    extra.splice(extra.indexOf(replica), 1);
    await system.call('DELETE', `/api/webhooks/${hook.webhook_id}`);
  });

  it('a target that hangs holds one slot: other subscriptions are delivered meanwhile', async () => {
    const slow = await receiver();
    slow.answer = () => 'hang';
    const fast = await receiver();
    const slowHook = await subscribe({ url: slow.url, event_types: ['task.status_changed'] });
    const fastHook = await subscribe({ url: fast.url, event_types: ['task.status_changed'] });
    await submit('one slow, one fast');
    await waitFor('the slow target called', () => slow.requests.length === 1);
    // Recorded delivered while the slow request still waits for its answer (WEBHOOK_TIMEOUT_MS is 10 s here).
    await waitFor(
      'the fast one recorded delivered',
      async () => (await deliveries(fastHook.webhook_id))[0]?.status === 'delivered',
      5000,
    );
    expect((await deliveries(slowHook.webhook_id))[0].status).toBe('pending');
    expect(fast.accepted).toHaveLength(1);
    await slow.close(); // its attempt fails now instead of at the time limit
    for (const h of [slowHook, fastHook]) await system.call('DELETE', `/api/webhooks/${h.webhook_id}`);
  });

  it('a delivery failing past the retry window is dead; operators list it and replay one or all', async () => {
    await system.orchestrator.close();
    system.orchestrator = await startOrchestrator({
      ...system.env,
      ...hookEnv,
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_RETRY_FOR_SECONDS: '2',
      WEBHOOK_TIMEOUT_MS: '500',
    });
    const rx = await receiver();
    let up = false;
    rx.answer = () => (up ? 204 : 503);
    const hook = await subscribe({ url: rx.url, event_types: ['task.status_changed'] });
    const first = await submit('dead 1');
    const dead = await waitFor(
      'a dead delivery',
      async () => {
        const r = await system.call('GET', `/api/webhooks/${hook.webhook_id}/deliveries?status=dead`);
        return r.body.deliveries.length === 1 ? r.body.deliveries[0] : undefined;
      },
      20_000,
    );
    expect(dead).toMatchObject({
      status: 'dead',
      last_status_code: 503,
      last_error: 'HTTP 503',
      next_attempt_at: null,
    });
    expect(dead.payload.data.task_id).toBe(first);
    expect(dead.attempts).toBeGreaterThanOrEqual(2);
    expect(dead.attempt_log).toHaveLength(dead.attempts);
    const metrics = (await system.call('GET', '/metrics')).text;
    expect(metrics).toMatch(/orchestrator_webhook_deliveries_total\{outcome="dead"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/orchestrator_webhook_attempts_total\{result="http_error"[^}]*\} [1-9]/);
    await waitFor(
      'the dead gauge',
      async () =>
        /orchestrator_webhook_deliveries_dead(\{[^}]*\})? 1\n/.test((await system.call('GET', '/metrics')).text),
      15_000,
    );

    up = true;
    const replayed = await system.call(
      'POST',
      `/api/webhooks/${hook.webhook_id}/deliveries/${dead.delivery_id}/replay`,
    );
    expect([replayed.status, replayed.body.status]).toEqual([200, 'pending']);
    await waitFor('the replayed delivery', () => rx.accepted.length === 1);
    expect(rx.accepted[0].headers['webhook-id']).toBe(dead.event_id);
    await waitFor('delivered recorded', async () => (await deliveries(hook.webhook_id))[0].status === 'delivered');
    const twice = await system.call('POST', `/api/webhooks/${hook.webhook_id}/deliveries/${dead.delivery_id}/replay`);
    expect([twice.status, twice.body.code]).toEqual([409, 'WEBHOOK_DELIVERY_NOT_DEAD']);

    up = false;
    await submit('dead 2');
    await submit('dead 3');
    await waitFor(
      'two more dead',
      async () => (await deliveries(hook.webhook_id)).filter((d) => d.status === 'dead').length === 2,
      20_000,
    );
    up = true;
    const all = await system.call('POST', `/api/webhooks/${hook.webhook_id}/deliveries/replay`);
    expect([all.status, all.body.replayed]).toEqual([200, 2]);
    await waitFor('all delivered', () => rx.accepted.length === 3);
    const page1 = await system.call('GET', `/api/webhooks/${hook.webhook_id}/deliveries?limit=2`);
    const page2 = await system.call(
      'GET',
      `/api/webhooks/${hook.webhook_id}/deliveries?limit=2&after=${page1.body.next_cursor}`,
    );
    expect(page1.body.deliveries).toHaveLength(2);
    expect(page2.body.deliveries).toHaveLength(1);
    expect(new Set([...page1.body.deliveries, ...page2.body.deliveries].map((d: Json) => d.delivery_id)).size).toBe(3);
    const missing = await system.call('POST', `/api/webhooks/${hook.webhook_id}/deliveries/999999999/replay`);
    expect([missing.status, missing.body.code]).toEqual([404, 'WEBHOOK_DELIVERY_NOT_FOUND']);
    await system.call('DELETE', `/api/webhooks/${hook.webhook_id}`);
  });

  it('never follows a redirect: the attempt fails and the other host is never called', async () => {
    const elsewhere = await receiver();
    const rx = await receiver();
    rx.answer = () => ({ status: 307, location: elsewhere.url });
    const hook = await subscribe({ url: rx.url, event_types: ['task.status_changed'] });
    await submit('redirected');
    await waitFor('a redirect answered', () => rx.requests.length >= 1);
    const [d] = (await system.call('GET', `/api/webhooks/${hook.webhook_id}/deliveries`)).body.deliveries;
    await waitFor('the attempt recorded', async () => (await deliveries(hook.webhook_id))[0].attempts >= 1);
    const attempt = (
      await db.query(`SELECT status_code, error FROM webhook_delivery_attempts WHERE delivery_id = $1`, [d.delivery_id])
    ).rows[0];
    expect(attempt).toEqual({ status_code: 307, error: `redirect to ${elsewhere.url} not followed` });
    expect(elsewhere.requests).toHaveLength(0);
    await system.call('DELETE', `/api/webhooks/${hook.webhook_id}`);
  });

  it('a receiver that never answers: the attempt ends at WEBHOOK_TIMEOUT_MS and is recorded', async () => {
    const rx = await receiver();
    rx.answer = () => 'hang';
    const hook = await subscribe({ url: rx.url, event_types: ['task.status_changed'] });
    await submit('hanging');
    const attempt = await waitFor('a timed-out attempt', async () => {
      const r = await db.query(
        `SELECT a.status_code, a.error, a.duration_ms FROM webhook_delivery_attempts a JOIN webhook_deliveries d USING (delivery_id)
          WHERE d.webhook_id = $1 ORDER BY a.attempt LIMIT 1`,
        [hook.webhook_id],
      );
      return r.rows[0];
    });
    expect(attempt).toMatchObject({ status_code: null, error: 'timed out' });
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(450);
    expect(attempt.duration_ms).toBeLessThan(5000);
    await system.call('DELETE', `/api/webhooks/${hook.webhook_id}`);
  });

  // Last: agent hosts start here, so the idle tasks of the tests above would run from now on.
  it('a real run: approval.needed with its prompt, then every status change of the run until completed', async () => {
    const roles = idsOfRoles(['backend_dev', 'qa_engineer', 'devops_engineer']).split(',');
    const ids = [...new Set(['DEV-001', ...roles])];
    await system.addHost(ids.join(','));
    await system.agentsOnline(['DEV-001']);
    const rx = await receiver();
    await subscribe({ url: rx.url, event_types: ['run.status_changed', 'approval.needed'] });
    const started = await system.call('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Password reset', developer_role: 'backend_dev' },
    });
    expect(started.status).toBe(202);
    const run = started.body.run_id as string;
    const mine = () => rx.events().filter((e) => e.data.run_id === run);
    const approval = await waitFor('approval.needed', () => mine().find((e) => e.type === 'approval.needed'), 60_000);
    expect(approval.data).toMatchObject({
      workflow: 'feature_delivery',
      step_key: 'approval#1',
      decisions: ['approve', 'reject'],
      prompt: expect.stringContaining('Approve the delivery of Password reset?'),
    });
    const resumed = await system.call('POST', `/api/workflows/runs/${run}/resume`, { decision: 'approve' });
    expect(resumed.body.status).toBe('completed');
    await waitFor('run completed', () => mine().some((e) => e.data.status === 'completed'));
    const statuses = mine()
      .filter((e) => e.type === 'run.status_changed')
      .sort((a, b) => Number(a.id.split(':')[1]) - Number(b.id.split(':')[1]))
      .map((e) => e.data.status);
    expect(statuses).toEqual(['running', 'input_required', 'running', 'completed']);
  });
});
