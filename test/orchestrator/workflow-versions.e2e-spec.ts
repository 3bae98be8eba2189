import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/test-env';
import { idsOfRoles, Json, startOrchestrator, TestSystem, WORKFLOWS_DIR } from './support/system';

jest.setTimeout(180_000);

const v1 = (): Json => JSON.parse(readFileSync(join(WORKFLOWS_DIR, 'feature_delivery.json'), 'utf8'));

/** Version 2 adds a security review after the deployment plan and before the approval. */
function v2(): Json {
  const d = v1();
  d.steps.deployment_plan.next = 'security_review';
  d.steps.security_review = {
    type: 'task',
    title: 'Security review: {{ $.input.feature }}',
    description: 'Review the change for security issues.',
    assign: { capability: 'code_review', role: 'qa_engineer' },
    input: { change: '$.steps.implement.output' },
    next: 'approval',
  };
  return d;
}

describe('workflow definitions with versions', () => {
  const system = new TestSystem();
  const db = new Client({ connectionString: TEST_DATABASE_URL });

  beforeAll(async () => {
    await db.connect();
    // Other suites may have changed feature_delivery in the shared test database: start from its file.
    await db.query(`DELETE FROM workflow_definitions WHERE name = 'feature_delivery' AND source = 'api'`);
    await system.start({ hosts: [idsOfRoles(['backend_dev', 'qa_engineer', 'devops_engineer'])] });
    await system.agentsOnline(['DEV-001', 'QA-001', 'DEVOPS-001']);
  });

  afterAll(async () => {
    await db.query(`DELETE FROM workflow_definitions WHERE name = 'feature_delivery' AND source = 'api'`);
    await system.stop();
    await db.end();
  });

  it('refuses an invalid definition with a 400 naming the problem, and a name that is not the path', async () => {
    const bad = v1();
    bad.steps.design.next = 'nowhere';
    const r = await system.call('PUT', '/api/workflows/feature_delivery', bad);
    expect([r.status, r.body.code]).toEqual([400, 'WORKFLOW_DEFINITION_INVALID']);
    expect(r.body.message).toContain('nowhere');
    for (const body of [[1, 2], '"text"', 'null']) {
      const notObject = await system.call('PUT', '/api/workflows/feature_delivery', body);
      expect([notObject.status, notObject.body.errors?.[0]?.field]).toEqual([400, 'body']);
    }
    const renamed = await system.call('PUT', '/api/workflows/feature_delivery', { ...v1(), name: 'other' });
    expect([renamed.status, renamed.body.message]).toEqual([400, expect.stringContaining('must match the path')]);
  });

  it('a run waiting for approval across an update finishes on version 1; new runs use version 2', async () => {
    const before = (await system.call('GET', '/api/workflows/feature_delivery/versions')).body.versions as Json[];
    const v1Number = before[before.length - 1].version as number;
    const started = await system.call('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Password reset', developer_role: 'backend_dev' },
    });
    const runId = started.body.run_id as string;
    await system.waitRun(runId, ['input_required']);

    const put = await system.call('PUT', '/api/workflows/feature_delivery', v2());
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ name: 'feature_delivery', version: v1Number + 1, created: true });
    const same = await system.call('PUT', '/api/workflows/feature_delivery', v2());
    expect(same.body).toEqual({ name: 'feature_delivery', version: v1Number + 1, created: false });
    const versions = (await system.call('GET', '/api/workflows/feature_delivery/versions')).body.versions as Json[];
    expect(versions.slice(-2).map((v) => [v.version, v.source])).toEqual([
      [v1Number, 'file'],
      [v1Number + 1, 'api'],
    ]);
    expect((await system.call('GET', '/api/workflows/feature_delivery')).body.version).toBe(v1Number + 1);
    expect(
      Object.keys((await system.call('GET', `/api/workflows/feature_delivery/versions/${v1Number}`)).body.steps),
    ).not.toContain('security_review');

    // The pinned run: approved after the update, it completes on version 1 (no security review step).
    await system.call('POST', `/api/workflows/runs/${runId}/resume`, { decision: 'approve' });
    const done = await system.waitRun(runId, ['completed', 'failed']);
    expect([done.status, done.workflow_version]).toEqual(['completed', v1Number]);
    expect(done.steps.map((s: Json) => s.step_id)).not.toContain('security_review');

    const next = await system.call('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Audit log', developer_role: 'backend_dev' },
    });
    const waiting = await system.waitRun(next.body.run_id, ['input_required', 'failed']);
    expect(waiting.workflow_version).toBe(v1Number + 1);
    expect(waiting.steps.map((s: Json) => s.step_id)).toContain('security_review');
    await system.call('POST', `/api/workflows/runs/${next.body.run_id}/cancel`);
  });

  it('a restart with the unchanged file keeps the version added through the API', async () => {
    const latest = (await system.call('GET', '/api/workflows/feature_delivery')).body.version as number;
    const second = await startOrchestrator({ ...system.env });
    try {
      const r = await fetch(`${second.baseUrl}/api/workflows/feature_delivery`).then((x) => x.json() as Promise<Json>);
      expect(r.version).toBe(latest);
    } finally {
      await second.close();
    }
  });
});
