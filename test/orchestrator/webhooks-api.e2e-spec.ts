import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bearer, createTestKey, request } from '../auth/support/keys';
import { Json, startOrchestrator, waitFor } from './support/system';
import { WebhooksFixture } from './support/webhooks-fixture';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'apps/cli/src/main.ts');

/** The operators' side of webhooks: what is refused (and named), who may call, and the CLI. */
describe('webhooks API: validation, scopes, CLI', () => {
  const f = new WebhooksFixture();
  const { system, extra } = f;
  const receiver = () => f.receiver();
  const submit = (title: string) => f.submit(title);
  const deliveries = (webhookId: string) => f.deliveries(webhookId);
  const signedBy = WebhooksFixture.signedBy;

  beforeAll(() => f.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_MS: '100' }));
  afterAll(() => f.stop());

  it('refuses bad targets and bad filters with a 400 naming the field', async () => {
    const rx = await receiver();
    const cases: [Json, string][] = [
      [{ url: rx.url, event_types: ['task.exploded'] }, 'event_types'],
      [{ url: rx.url, event_types: [] }, 'event_types'],
      [{ url: rx.url }, 'event_types'],
      [{ url: rx.url, event_types: ['task.status_changed'], task_id: randomUUID() }, 'task_id'],
      [{ url: rx.url, event_types: ['run.status_changed'], run_id: randomUUID() }, 'run_id'],
      [{ url: rx.url, event_types: ['run.status_changed'], task_id: randomUUID(), run_id: randomUUID() }, 'run_id'],
      [{ url: 'ftp://127.0.0.1/x', event_types: ['task.status_changed'] }, 'url'],
      [{ url: 'not a url', event_types: ['task.status_changed'] }, 'url'],
      [{ event_types: ['task.status_changed'] }, 'url'],
    ];
    for (const [body, field] of cases) {
      const r = await system.call('POST', '/api/webhooks', body);
      expect([r.status, field, r.body.message]).toEqual([400, field, expect.stringContaining(field)]);
    }
    const bad = await system.call('GET', `/api/webhooks/${randomUUID()}/deliveries?status=lost`);
    expect([bad.status, bad.body.message]).toEqual([400, expect.stringContaining('status')]);
  });

  it('with auth on: private, non-https and unlisted targets are refused; without webhooks:admin 403', async () => {
    const orchestrator = await startOrchestrator({
      ...system.env,
      AUTH_MODE: 'on',
      REGISTRY_API_KEY: (await createTestKey(['registry:read'])).key,
      WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com,localhost,127.0.0.1',
      WEBHOOK_ALLOW_HTTP: 'false',
    });
    extra.push(orchestrator);
    const admin = await createTestKey(['webhooks:admin']);
    const reader = await createTestKey(['tasks:read', 'bus:admin']);
    const post = (key: string | undefined, body: Json) =>
      request(orchestrator.baseUrl, 'POST', '/api/webhooks', { body, headers: key ? bearer(key) : {} });
    const types = ['task.status_changed'];
    const cases: [string, RegExp][] = [
      ['http://hooks.example.com/in', /url: must use https \(got http\)/],
      ['https://other.example.org/in', /url: host other\.example\.org is not in WEBHOOK_ALLOWED_HOSTS/],
      ['https://localhost/in', /url: host localhost is a private, loopback or reserved address/],
      ['https://127.0.0.1/in', /url: host 127\.0\.0\.1 is a private, loopback or reserved address/],
      ['https://user:pw@hooks.example.com/in', /url: must not carry credentials/],
    ];
    for (const [url, message] of cases) {
      const r = await post(admin.key, { url, event_types: types });
      expect([url, r.status, r.body.message]).toEqual([url, 400, expect.stringMatching(message)]);
    }
    expect((await post(reader.key, { url: 'https://hooks.example.com/in', event_types: types })).status).toBe(403);
    expect((await post(undefined, { url: 'https://hooks.example.com/in', event_types: types })).status).toBe(401);
    const listed = await request(orchestrator.baseUrl, 'GET', '/api/webhooks', { headers: bearer(reader.key) });
    expect(listed.status).toBe(403);
    const ok = await request(orchestrator.baseUrl, 'GET', '/api/webhooks', { headers: bearer(admin.key) });
    expect(ok.status).toBe(200);
    // Its worker refuses loopback targets and it checks result signatures: it must not serve the tests after this one.
    await orchestrator.close();
    extra.splice(extra.indexOf(orchestrator), 1);
  });
  it('the CLI creates, lists, pages and replays (expert-agents webhooks …)', async () => {
    const rx = await receiver();
    const cli = (...args: string[]) =>
      execFileAsync(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', CLI, '--url', system.url, ...args],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
            EXPERT_AGENTS_CREDENTIALS: '/nonexistent',
          },
        },
      ).then((r) => r.stdout);
    const shown = await cli(
      'webhooks',
      'create',
      '--target',
      rx.url,
      '--events',
      'task.status_changed,approval.needed',
    );
    const [, id, secret] = /webhook ([0-9a-f-]{36}) → .*\n(whsec_\S+)/.exec(shown) ?? [];
    expect(secret).toMatch(/^whsec_/);
    expect(await cli('webhooks', 'list')).toContain(`${id}  ${rx.url}  task.status_changed,approval.needed  (all)`);
    await submit('via cli');
    await waitFor('the delivery', () => rx.accepted.length === 1);
    expect(signedBy(secret, rx.accepted[0])).toBe(true);
    await waitFor('delivered recorded', async () => (await deliveries(id))[0]?.status === 'delivered');
    expect(await cli('webhooks', 'deliveries', id, '--status', 'delivered')).toMatch(
      /delivered\s+task\.status_changed/,
    );
    expect(await cli('webhooks', 'replay', id)).toContain('replayed 0 dead delivery(ies)');
    expect(await cli('webhooks', 'delete', id)).toContain(`deleted ${id}`);
    await expect(cli('webhooks', 'get', id)).rejects.toThrow(/404/);
  });
});
