import { idsOfRoles, startHost, startOrchestrator, Started, systemEnv, waitFor } from '../orchestrator/support/system';
import { cleanupRegistryKeys, RegistryUnderTest, startRegistry } from '../registry/registry-test-app';
import { deleteRedisKeys, uniqueRedisPrefix } from '../support/http-app';
import { auditRows, bearer, createTestKey, request } from './support/keys';

jest.setTimeout(120_000);

/** Runs carry who started them, approval steps who decided, each change one audit row in its transaction. */
describe('workflow approvals record who decided (auth on)', () => {
  const transportPrefix = uniqueRedisPrefix('auth-approve').replace(/:$/, '');
  let registry: RegistryUnderTest;
  let orchestrator: Started;
  let host: Started;

  beforeAll(async () => {
    const ids = idsOfRoles(['backend_dev', 'qa_engineer', 'devops_engineer']);
    const hostKey = (await createTestKey([], ids.split(','))).key;
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

  it('feature_delivery: the runner cannot approve; the approver can, and is recorded as decided_by', async () => {
    const runner = await createTestKey(['workflows:run', 'tasks:read'], undefined, 'release-bot');
    const approver = await createTestKey(['workflows:approve', 'tasks:read'], undefined, 'alice');
    const api = (key: string, method: string, path: string, body?: unknown) =>
      request(orchestrator.baseUrl, method, path, { body, headers: bearer(key) });

    const started = await api(runner.key, 'POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Password reset', developer_role: 'backend_dev' },
    });
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    expect(await auditRows('request_id = $1', [started.headers.get('x-request-id')])).toEqual([
      expect.objectContaining({
        action: 'workflows.start',
        actor: 'api_key:release-bot',
        resource: `workflow_run:${runId}`,
      }),
    ]);
    const waiting = await waitFor(
      'the run to wait for approval',
      async () => {
        const r = await api(runner.key, 'GET', `/api/workflows/runs/${runId}`);
        return r.body.status === 'input_required' || r.body.status === 'failed' ? r.body : undefined;
      },
      60_000,
    );
    expect(waiting.status).toBe('input_required');
    expect(waiting.created_by).toBe('api_key:release-bot');

    const refused = await api(runner.key, 'POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
    expect(refused.status).toBe(403);
    const approved = await api(approver.key, 'POST', `/api/workflows/runs/${runId}/resume`, {
      decision: 'approve',
      comment: 'ship it',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('completed');
    const step = (approved.body.steps as { step_key: string; decided_by: string | null }[]).find(
      (s) => s.step_key === 'approval#1',
    );
    expect(step?.decided_by).toBe('api_key:alice');
    expect(await auditRows('request_id = $1', [approved.headers.get('x-request-id')])).toEqual([
      expect.objectContaining({ action: 'workflows.resume', actor: 'api_key:alice', outcome: 'success' }),
    ]);
    expect(await auditRows('request_id = $1', [refused.headers.get('x-request-id')])).toEqual([
      expect.objectContaining({ outcome: 'denied', actor: 'api_key:release-bot', status_code: 403 }),
    ]);
  });
});
