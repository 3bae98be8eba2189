import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { lastValueFrom } from 'rxjs';
import { ORCHESTRATOR_RPC_ADDRESS, OrchestratorPatterns } from '@app/contracts';
import { RedisStreamsClient } from '@app/transport';
import { idsOfRoles, startHost, startOrchestrator, Started, systemEnv, waitFor } from '../orchestrator/support/system';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { auditRows, bearer, createTestKey, Reply, request } from './support/keys';

jest.setTimeout(180_000);

/**
 * Issue 13: every mutation leaves exactly one audit row, and so does every refusal. Each kind of
 * mutation of the orchestrator and the registry is made over HTTP (and the orchestrator's over
 * RPC); the rows are counted per request id. A change that fails leaves no success row.
 */
describe('audit trail: one row per mutation, in the change’s transaction (auth on)', () => {
  const transportPrefix = uniqueRedisPrefix('auth-audit').replace(/:$/, '');
  let registry: RegistryUnderTest;
  let orchestrator: Started;
  let host: Started;
  let operator: string;

  beforeAll(async () => {
    const ids = idsOfRoles(['backend_dev', 'qa_engineer', 'devops_engineer']);
    const hostKey = (await createTestKey([], ids.split(','))).key;
    operator = (await createTestKey(['*'], undefined, `audit-op-${randomUUID().slice(0, 6)}`)).key;
    registry = await startRegistry({ AUTH_MODE: 'on' });
    const env = { ...systemEnv(registry.baseUrl, transportPrefix), AUTH_MODE: 'on' };
    orchestrator = await startOrchestrator({ ...env, REGISTRY_API_KEY: (await createTestKey(['registry:read'])).key });
    host = await startHost({ ...env, AGENT_HOST_API_KEY: hostKey }, ids);
  });

  afterAll(async () => {
    await host?.close().catch(() => undefined);
    await orchestrator?.close().catch(() => undefined);
    await registry?.close().catch(() => undefined);
    if (registry) await cleanupRegistryKeys(registry.prefix);
    await deleteRedisKeys(transportPrefix);
  });

  const orch = (method: string, path: string, body?: unknown, key = operator) =>
    request(orchestrator.baseUrl, method, path, { body, headers: bearer(key) });
  const reg = (method: string, path: string, body?: unknown, key = operator) =>
    request(registry.baseUrl, method, path, { body, headers: bearer(key) });

  /** The one audit row of this answer's request (fails when there are none or several). */
  async function onlyRow(reply: Reply): Promise<Record<string, unknown>> {
    const requestId = reply.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const rows = await auditRows('request_id = $1', [requestId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].status_code).toBe(reply.status);
    return rows[0];
  }

  /**
   * True when the audit row of `requestId` and the changed row (`rowSql`, selecting one row by $1)
   * were written by one transaction (same xmin).
   */
  async function sameTransaction(rowSql: string, key: string, requestId: string | null) {
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      const rows = await db.query<{ same: boolean }>(
        `SELECT r.xmin::text = a.xmin::text AS same FROM (${rowSql}) r, audit_events a WHERE a.request_id = $2`,
        [key, requestId],
      );
      return rows.rows.length === 1 && rows.rows[0].same;
    } finally {
      await db.end();
    }
  }
  // The task's `accepted` event is written by the statement that inserts the task, and never changed.
  const ACCEPTED = `SELECT xmin FROM task_events WHERE task_id = $1::uuid AND type = 'accepted'`;

  const pendingTask = (title: string) => ({ title, role: 'audit_nobody' }); // no agent has this role: it waits

  it('tasks: submit, idempotent repeat, validation error, cancel, cancel of a finished task (409)', async () => {
    const submitted = await orch('POST', '/api/tasks', {
      ...pendingTask('audit: wait'),
      idempotency_key: randomUUID(),
    });
    expect(submitted.status).toBe(202);
    const taskId = submitted.body.task_id as string;
    expect(await onlyRow(submitted)).toMatchObject({
      action: 'POST /api/tasks',
      outcome: 'success',
      resource: `task:${taskId}`,
      service: 'orchestrator',
      actor_kind: 'api_key',
    });
    // Written by the group-commit statement that wrote the task: the same transaction.
    expect(await sameTransaction(ACCEPTED, taskId, submitted.headers.get('x-request-id'))).toBe(true);

    const again = await orch('POST', '/api/tasks', {
      ...pendingTask('audit: wait'),
      idempotency_key: (await orch('GET', `/api/tasks/${taskId}`)).body.idempotency_key,
    });
    expect(again.status).toBe(200);
    expect(await onlyRow(again)).toMatchObject({ outcome: 'success', resource: `task:${taskId}` });

    const invalid = await orch('POST', '/api/tasks', { role: 'audit_nobody' });
    expect(invalid.status).toBe(400);
    expect(await onlyRow(invalid)).toMatchObject({ outcome: 'failure', action: 'POST /api/tasks' });

    const canceled = await orch('POST', `/api/tasks/${taskId}/cancel`);
    expect(canceled.status).toBe(202);
    expect(await onlyRow(canceled)).toMatchObject({ outcome: 'success', resource: `task:${taskId}` });

    // Canceled already: refused, recorded once as a failure, and no success row for it.
    const refused = await orch('POST', `/api/tasks/${taskId}/cancel`);
    expect(refused.status).toBe(409);
    expect(await onlyRow(refused)).toMatchObject({ outcome: 'failure', resource: `task:${taskId}` });

    const done = await orch('POST', '/api/tasks', { title: 'audit: run', agent_id: 'DEV-001' });
    expect(done.status).toBe(202);
    await waitFor('the task to complete', async () => {
      const r = await orch('GET', `/api/tasks/${done.body.task_id as string}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
    });
    const late = await orch('POST', `/api/tasks/${done.body.task_id as string}/cancel`);
    expect(late.status).toBe(409);
    expect(await onlyRow(late)).toMatchObject({ outcome: 'failure', status_code: 409 });
  });

  it('a change that fails leaves one failure row and no success row (the task insert rolls back)', async () => {
    const title = `audit-fail-${randomUUID()}`;
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    // A real failure of the change inside its statement: PostgreSQL refuses this one task.
    const fn = `audit_refuse_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await db.query(
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.task_title = '${title}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
    );
    await db.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON task_history FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      const failed = await orch('POST', '/api/tasks', pendingTask(title));
      expect(failed.status).toBe(503);
      expect(await onlyRow(failed)).toMatchObject({ outcome: 'failure', action: 'POST /api/tasks' });
      const tasks = await db.query(`SELECT 1 FROM task_history WHERE task_title = $1`, [title]);
      expect(tasks.rows).toHaveLength(0);
    } finally {
      await db.query(`DROP TRIGGER ${fn} ON task_history`);
      await db.query(`DROP FUNCTION ${fn}()`);
      await db.end();
    }
  });

  it('workflows: start, resume, cancel, a new definition version, and an invalid one', async () => {
    const started = await orch('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Audit trail', developer_role: 'backend_dev' },
    });
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    expect(await onlyRow(started)).toMatchObject({
      action: 'workflows.start',
      outcome: 'success',
      resource: `workflow_run:${runId}`,
    });
    await waitFor(
      'the run to wait for approval',
      async () => {
        const r = await orch('GET', `/api/workflows/runs/${runId}`);
        return r.body.status === 'input_required' || r.body.status === 'failed' ? r.body : undefined;
      },
      60_000,
    );
    const resumed = await orch('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
    expect(resumed.status).toBe(200);
    expect(await onlyRow(resumed)).toMatchObject({ action: 'workflows.resume', outcome: 'success' });
    const wrong = await orch('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(await onlyRow(wrong)).toMatchObject({ action: 'workflows.resume', outcome: 'failure' });

    const other = await orch('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Canceled', developer_role: 'backend_dev' },
    });
    const canceled = await orch('POST', `/api/workflows/runs/${other.body.run_id as string}/cancel`);
    expect(canceled.status).toBe(202);
    expect(await onlyRow(canceled)).toMatchObject({
      outcome: 'success',
      resource: `workflow_run:${other.body.run_id as string}`,
    });

    const current = await orch('GET', '/api/workflows/mcq_generation');
    const { version: _v, input_schema: _s, ...definition } = current.body as Record<string, unknown>;
    const changed = { ...definition, description: `changed ${randomUUID()}` };
    const put = await orch('PUT', '/api/workflows/mcq_generation', changed);
    expect(put.status).toBe(200);
    expect(await onlyRow(put)).toMatchObject({
      outcome: 'success',
      resource: `workflow:mcq_generation@${put.body.version as number}`,
    });
    const same = await orch('PUT', '/api/workflows/mcq_generation', changed);
    expect(same.body.created).toBe(false);
    expect(await onlyRow(same)).toMatchObject({ outcome: 'success', resource: 'workflow:mcq_generation' });
    const bad = await orch('PUT', '/api/workflows/mcq_generation', { name: 'mcq_generation' });
    expect(bad.status).toBe(400);
    expect(await onlyRow(bad)).toMatchObject({ outcome: 'failure' });
  });

  it('schedules: create, change, pause, resume, trigger, delete, and a missing one', async () => {
    const created = await orch('POST', '/api/schedules', {
      name: `audit-${randomUUID().slice(0, 8)}`,
      cron: '0 9 * * MON',
      target: { task: pendingTask('audit: scheduled') },
      paused: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.schedule_id as string;
    const resource = `schedule:${id}`;
    expect(await onlyRow(created)).toMatchObject({ outcome: 'success', resource });
    expect(
      await sameTransaction(
        `SELECT xmin FROM schedules WHERE schedule_id = $1::uuid`,
        id,
        created.headers.get('x-request-id'),
      ),
    ).toBe(true);
    for (const [method, path, body] of [
      ['PATCH', `/api/schedules/${id}`, { cron: '0 10 * * MON' }],
      ['POST', `/api/schedules/${id}/resume`, undefined],
      ['POST', `/api/schedules/${id}/pause`, undefined],
      ['POST', `/api/schedules/${id}/trigger`, undefined],
      ['DELETE', `/api/schedules/${id}`, undefined],
    ] as const) {
      const reply = await orch(method, path, body);
      expect(reply.status).toBeLessThan(300);
      expect(await onlyRow(reply)).toMatchObject({ outcome: 'success', resource });
    }
    const gone = await orch('DELETE', `/api/schedules/${id}`);
    expect(gone.status).toBe(404);
    expect(await onlyRow(gone)).toMatchObject({ outcome: 'failure', resource });
  });

  it('keys and dead letters: create, revoke, revoke of an unknown key, purge and replay (Redis only)', async () => {
    const created = await orch('POST', '/api/auth/keys', {
      name: `audit-${randomUUID().slice(0, 8)}`,
      scopes: ['tasks:read'],
    });
    expect(created.status).toBe(201);
    expect(await onlyRow(created)).toMatchObject({
      action: 'keys.create',
      resource: `api_key:${created.body.id as string}`,
    });
    const keyId = created.body.id as string;
    expect(
      await sameTransaction(
        `SELECT xmin FROM api_keys WHERE id = $1::uuid`,
        keyId,
        created.headers.get('x-request-id'),
      ),
    ).toBe(true);
    const revoked = await orch('DELETE', `/api/auth/keys/${created.body.id as string}`);
    expect(revoked.status).toBe(200);
    expect(await onlyRow(revoked)).toMatchObject({ action: 'keys.revoke', outcome: 'success' });
    const unknown = await orch('DELETE', `/api/auth/keys/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(await onlyRow(unknown)).toMatchObject({ action: 'keys.revoke', outcome: 'failure' });
    for (const op of ['purge', 'replay']) {
      const reply = await orch('POST', `/api/bus/streams/DEV-001/dead-letters/${op}`, {});
      expect(reply.status).toBe(200);
      expect(await onlyRow(reply)).toMatchObject({ outcome: 'success', service: 'orchestrator' });
    }
  });

  it('registry: register, status, deregister, and a foreign agent refused (403)', async () => {
    const agentId = 'AUD-001';
    const registered = await reg('POST', '/api/agents/register', {
      agent_id: agentId,
      name: 'Audit doc writer',
      role: 'audit_only',
      host: 'localhost',
      port: 6001,
    });
    expect(registered.status).toBe(200);
    expect(await onlyRow(registered)).toMatchObject({
      outcome: 'success',
      resource: `agent:${agentId}`,
      service: 'registry',
    });
    expect(
      await sameTransaction(
        `SELECT xmin FROM agent_registry WHERE agent_id = $1`,
        agentId,
        registered.headers.get('x-request-id'),
      ),
    ).toBe(true);
    const status = await reg('POST', `/api/agents/${agentId}/status`, { status: 'busy' });
    expect(status.status).toBe(200);
    expect(await onlyRow(status)).toMatchObject({ outcome: 'success', resource: `agent:${agentId}` });
    const deleted = await reg('DELETE', `/api/agents/${agentId}`);
    expect(deleted.status).toBe(200);
    expect(await onlyRow(deleted)).toMatchObject({ outcome: 'success', resource: `agent:${agentId}` });
    const again = await reg('DELETE', `/api/agents/${agentId}`);
    expect(again.status).toBe(404);
    expect(await onlyRow(again)).toMatchObject({ outcome: 'failure' });
    const qaHost = (await createTestKey([], ['QA-001'])).key;
    const foreign = await reg('POST', `/api/agents/DEV-001/status`, { status: 'offline' }, qaHost);
    expect(foreign.status).toBe(403);
    expect(await onlyRow(foreign)).toMatchObject({ outcome: 'denied' });
  });

  it('refusals: no credential (401) and a missing scope (403) leave one row each', async () => {
    const anonymous = await request(orchestrator.baseUrl, 'POST', '/api/tasks', { body: pendingTask('x') });
    expect(anonymous.status).toBe(401);
    expect(await onlyRow(anonymous)).toMatchObject({ outcome: 'unauthenticated', actor: null });
    const reader = (await createTestKey(['tasks:read'])).key;
    const denied = await orch('POST', '/api/tasks', pendingTask('x'), reader);
    expect(denied.status).toBe(403);
    expect(await onlyRow(denied)).toMatchObject({ outcome: 'denied' });
  });

  it('RPC: submit, cancel, a refused cancel and a workflow start leave one row each (per message id)', async () => {
    const caller = await createTestKey(['tasks:write', 'tasks:read', 'workflows:run']);
    const client = new RedisStreamsClient({
      url: TEST_REDIS_URL,
      keyPrefix: transportPrefix,
      defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
      requestTimeoutMs: 10_000,
    });
    await client.connect();
    const send = (pattern: string, payload: Record<string, unknown>) =>
      lastValueFrom(client.send(pattern, { ...payload, auth: caller.key })).catch((error: unknown) => error);
    const rowsOf = (action: string) => auditRows('actor = $1 AND action = $2', [`api_key:${caller.name}`, action]);
    try {
      const submitted = (await send(OrchestratorPatterns.SubmitTask, pendingTask('audit: rpc'))) as { task_id: string };
      expect(submitted.task_id).toEqual(expect.any(String));
      const submits = await rowsOf('rpc tasks.submit');
      expect(submits).toEqual([
        expect.objectContaining({ outcome: 'success', resource: `task:${submitted.task_id}`, service: 'orchestrator' }),
      ]);
      expect(submits[0].request_id).toEqual(expect.any(String));
      expect(await sameTransaction(ACCEPTED, submitted.task_id, submits[0].request_id as string)).toBe(true);

      await send(OrchestratorPatterns.CancelTask, { task_id: submitted.task_id });
      await send(OrchestratorPatterns.CancelTask, { task_id: submitted.task_id });
      const cancels = await rowsOf('rpc tasks.cancel');
      expect(cancels.map((r) => [r.outcome, r.resource])).toEqual([
        ['success', `task:${submitted.task_id}`],
        ['failure', `task:${submitted.task_id}`],
      ]);
      expect(cancels[1].status_code).toBe(409);
      expect(new Set(cancels.map((r) => r.request_id)).size).toBe(2);

      const run = (await send(OrchestratorPatterns.StartWorkflow, {
        name: 'feature_delivery',
        input: { feature: 'RPC', developer_role: 'backend_dev' },
      })) as { run_id: string };
      expect(await rowsOf('rpc workflows.start')).toEqual([
        expect.objectContaining({ outcome: 'success', resource: `workflow_run:${run.run_id}` }),
      ]);
      const invalid = await send(OrchestratorPatterns.SubmitTask, { role: 'audit_nobody' });
      expect(invalid).toMatchObject({ status: 'error' });
      expect((await rowsOf('rpc tasks.submit')).map((r) => r.outcome)).toEqual(['success', 'failure']);
    } finally {
      await client.close();
    }
  });
});
