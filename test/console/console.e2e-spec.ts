import { join } from 'node:path';
import Redis from 'ioredis';
import { Browser, Page } from 'playwright-core';
import { TransportKeys } from '@app/transport';
import { idsExceptRoles, idsOfRoles, Json, Started, waitFor } from '../orchestrator/support/system';
import { AGENT_CATALOG } from '@app/agents';
import { TEST_REDIS_URL } from '../support/test-env';
import { ARTIFACTS, ConsoleSystem, launchBrowser, screenshot } from './support/console-system';

jest.setTimeout(240_000);

// Host A runs every agent the workflows need; data engineers live on host B (stopped by the fleet
// test) and mobile developers on host C, whose scripted model is slow enough to watch a task run.
const HOST_B_ROLES = ['data_engineer'];
const HOST_C_ROLES = ['mobile_dev'];
const UI_TIMEOUT = 45_000;
const DATA_ENGINEERS = idsOfRoles(HOST_B_ROLES).split(',');
const MOBILE_DEVS = idsOfRoles(HOST_C_ROLES).split(',');

describe('operator console in headless Chromium (real registry, orchestrator, agent hosts, PostgreSQL, Redis)', () => {
  const system = new ConsoleSystem();
  let hostB: Started;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await system.start({ hosts: [idsExceptRoles([...HOST_B_ROLES, ...HOST_C_ROLES])] });
    hostB = await system.addHost(idsOfRoles(HOST_B_ROLES));
    await system.addHost(idsOfRoles(HOST_C_ROLES), { SCRIPTED_LATENCY_MS: '8000' });
    await system.agentsOnline([
      'PM-001',
      'DEV-001',
      'QA-001',
      'DEVOPS-001',
      'MED-001',
      ...DATA_ENGINEERS,
      ...MOBILE_DEVS,
    ]);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Access-Control|CORS/i.test(m.text()))
        pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await system.stop();
  });

  afterEach(() => {
    // A script error or a CSP/CORS refusal in the page fails the test that caused it.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  const open = async (hash: string) => {
    await page.goto(`${system.url}/console${hash}`);
    await page.locator('main h1').first().waitFor();
  };

  it('serves the page with a content security policy, its settings and the bundle; unknown assets are 404', async () => {
    const pageRes = await fetch(`${system.url}/console`);
    expect(pageRes.status).toBe(200);
    expect(pageRes.headers.get('content-type')).toMatch(/text\/html/);
    expect(pageRes.headers.get('content-security-policy')).toContain(`connect-src 'self' ${system.registry.baseUrl}`);
    expect(await pageRes.text()).toContain('/console/assets/console.js');
    const js = await fetch(`${system.url}/console/assets/console.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.arrayBuffer()).byteLength).toBeLessThan(150_000); // light: preact + htm + our code
    const slash = await fetch(`${system.url}/console/`, { redirect: 'manual' });
    expect(slash.status).toBe(302);
    expect(slash.headers.get('location')).toBe('/console');
    const settings = await system.call('GET', '/console/settings.json');
    expect(settings.body).toMatchObject({
      registry_url: system.registry.baseUrl,
      grafana_url: 'http://127.0.0.1:3000',
    });
    const missing = await system.call('GET', '/console/assets/..%2Fpackage.json');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'CONSOLE_ASSET_NOT_FOUND' });
  });

  it('the registry allows the console origin (CORS preflight and SSE) and no other', async () => {
    const preflight = (origin: string) =>
      fetch(`${system.registry.baseUrl}/api/agents`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight(system.url);
    expect(ok.status).toBeLessThan(300);
    expect(ok.headers.get('access-control-allow-origin')).toBe(system.url);
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const controller = new AbortController();
    const sse = await fetch(`${system.registry.baseUrl}/api/agents/events`, {
      headers: { origin: system.url },
      signal: controller.signal,
    });
    expect(sse.headers.get('access-control-allow-origin')).toBe(system.url);
    controller.abort();
  });

  it('GET /api/workflows/{name} gives the definition and its input schema; an unknown name is 404 naming the field', async () => {
    const def = await system.call('GET', '/api/workflows/mcq_generation');
    expect(def.status).toBe(200);
    expect(def.body).toMatchObject({ name: 'mcq_generation', start: 'plan' });
    expect(def.body.steps.author.type).toBe('foreach');
    expect(def.body.input_schema).toMatchObject({
      type: 'object',
      required: ['topics'],
      properties: { topics: { type: 'array', items: { type: 'string' } }, brief: { type: 'string' } },
    });
    const unknown = await system.call('GET', '/api/workflows/no_such_flow');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/^name: /);
    const bad = await system.call('GET', '/api/workflows/Bad-Name');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/name/);
  });

  it('fleet: every agent with role, status, load and host; an agent whose host stops turns offline without a reload', async () => {
    await open('#/fleet');
    const row = page.locator(`tr[data-agent="${DATA_ENGINEERS[0]}"]`);
    await row.and(page.locator('[data-status="online"]')).waitFor();
    // Every catalog agent has its row (the shared test database may also hold agents other suites registered).
    const shown = await page
      .locator('tbody tr[data-agent]')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-agent')));
    expect(AGENT_CATALOG.map((a) => a.agent_id).filter((id) => !shown.includes(id))).toEqual([]);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('data_engineer');
    await expect(row.locator('meter').count()).resolves.toBe(1);
    await page.locator('.live.on').waitFor();
    await screenshot(page, 'fleet');

    await page.getByLabel('Role').selectOption('data_engineer');
    await waitFor(
      'the role filter',
      async () => (await page.locator('tbody tr[data-agent]').count()) === DATA_ENGINEERS.length,
    );

    await hostB.close(); // drains and marks its agents offline at the registry
    system.hosts.splice(system.hosts.indexOf(hostB), 1);
    for (const id of DATA_ENGINEERS) await page.locator(`tr[data-agent="${id}"][data-status="offline"]`).waitFor();
    await expect(row.getAttribute('class')).resolves.toContain('row-offline');
    await screenshot(page, 'fleet-offline');

    await page.getByLabel('Role').selectOption('');
    await page.locator('tbody tr[data-agent]').nth(45).waitFor();
    await screenshot(page, 'fleet-live', false);
    await page.locator('a', { hasText: 'MED-001' }).click();
    await page.locator('h1', { hasText: 'MED-001' }).waitFor();
    await page.locator('.capabilities li').first().waitFor();
    expect(await page.locator('.capabilities meter').count()).toBeGreaterThan(0);
    await screenshot(page, 'agent');
  });

  it('tasks: a task submitted through the API appears in the list and completes live on its page', async () => {
    await open('#/tasks');
    const submitted = await system.call('POST', '/api/tasks', {
      title: 'Console: design the offline sync screen',
      role: 'mobile_dev',
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.task_id as string;
    const link = page.locator(`tr[data-task="${id}"] a`);
    await link.waitFor(); // the list refreshes itself
    await link.click();
    await page.locator('h1', { hasText: 'offline sync screen' }).waitFor();
    // Seen before it ends (the scripted model of host C takes 8 s), then completed without a reload.
    const before = await page.locator('.toolbar .status').textContent();
    expect(['pending', 'dispatched', 'in_progress']).toContain(before);
    await page.locator('.toolbar .status-completed').waitFor();
    await page.locator('.timeline li', { hasText: 'completed' }).waitFor();
    expect(await page.locator('.timeline li').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.output').textContent()).not.toContain('No output yet');
    await screenshot(page, 'task');
    // Its agent's page lists it among the recent tasks, with the error rate of those tasks.
    await page.locator('.facts a[href^="#/fleet/"]').click();
    await page.locator(`tr[data-task="${id}"]`).waitFor();
    await expect(page.locator('.error-rate').textContent()).resolves.toBe('0%');
  });

  it('tasks: the list filters by agent and pages with the cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 28; i++) {
      const r = await system.call('POST', '/api/tasks', { title: `Paging ${i}`, agent_id: 'AI-001' });
      ids.push(r.body.task_id as string);
    }
    await open('#/tasks');
    await page.getByLabel('Agent').fill('AI-001');
    await page.getByLabel('Agent').press('Enter');
    await page.getByLabel('Agent').blur();
    const rows = page.locator('tbody tr[data-task]');
    await waitFor('a first page of 25', async () => (await rows.count()) === 25);
    expect(await page.locator('tbody tr[data-task]', { hasText: 'Paging' }).count()).toBe(25);
    await page.getByRole('button', { name: 'Older →' }).click();
    await waitFor('the second page', async () => (await rows.count()) === 3);
    const seen = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')));
    expect(seen.every((id) => ids.includes(id as string))).toBe(true);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await waitFor('the first page again', async () => (await rows.count()) === 25);
  });

  it('mcq_generation: started from the form built from its input schema; the items render as questions', async () => {
    await open('#/runs');
    await page.locator('a', { hasText: 'Start mcq_generation' }).click();
    await page.getByLabel(/topics/).fill('Cardiology: atrial fibrillation\nNephrology: hyperkalemia');
    await screenshot(page, 'run-form');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').pop()!;
    await page.locator('.toolbar .status-completed').waitFor({ timeout: 90_000 });
    const items = page.locator('article.mcq');
    await waitFor('two MCQ items', async () => (await items.count()) === 2);
    for (let i = 0; i < 2; i++) {
      const item = items.nth(i);
      expect(await item.locator('.options li').count()).toBeGreaterThanOrEqual(4);
      const key = (await item.locator('.correct-key').textContent())!.trim();
      await expect(item.locator('.options li.correct .key').textContent()).resolves.toBe(key);
    }
    expect(await page.locator('g.node[data-step="draft"]').getAttribute('data-status')).toBe('completed');
    const run = await system.call('GET', `/api/workflows/runs/${runId}`);
    expect(run.body.input).toEqual({ topics: ['Cardiology: atrial fibrillation', 'Nephrology: hyperkalemia'] });
    await screenshot(page, 'run-mcq');
    await screenshot(page, 'run-mcq-top', false);
    await items.first().screenshot({ path: join(ARTIFACTS, 'mcq-item.png') });
  });

  it('feature_delivery: approved with a comment from its page, then completes', async () => {
    const started = await system.call('POST', '/api/workflows/feature_delivery/runs', {
      input: { feature: 'Password reset by e-mail' },
    });
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    await open(`#/runs/${runId}`);
    const approval = page.getByRole('region', { name: 'approval' });
    await approval.waitFor({ timeout: 90_000 });
    expect(await page.locator('g.node[data-step="approval"]').getAttribute('data-status')).toBe('waiting_approval');
    await page.locator('g.node[data-step="design"]').click();
    await page.locator('details.step').first().waitFor();
    // Graph steps work from the keyboard too.
    await page.locator('g.node[data-step="implement"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('h2', { hasText: 'Step implement' }).waitFor();
    await page.locator('g.node[data-step="design"]').focus();
    await page.keyboard.press(' ');
    await page.locator('h2', { hasText: 'Step design' }).waitFor();
    await screenshot(page, 'run-approval');
    await screenshot(page, 'run-approval-top', false);
    await page.getByLabel('Comment').fill('Reviewed in the console');
    await approval.getByRole('button', { name: 'approve' }).click();
    await page.locator('.toolbar .status-completed').waitFor();
    const run: Json = await system.waitRun(runId, ['completed']);
    expect(run.output.approval).toMatchObject({ decision: 'approve', comment: 'Reviewed in the console' });
    expect(await page.locator('g.node[data-step="delivered"]').getAttribute('data-status')).toBe('completed');
    await screenshot(page, 'run-graph');
  });

  it('bus: a dead letter is shown with its reason and payload and replayed after a confirmation', async () => {
    const AGENT = 'QA-003';
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.xadd(new TransportKeys(system.transportPrefix).stream(AGENT), '*', 'envelope', '{not json');
    } finally {
      await redis.quit();
    }
    const [entry] = await waitFor('the entry to be dead-lettered', async () => {
      const list = (await system.call('GET', `/api/bus/streams/${AGENT}/dead-letters`)).body.dead_letters as Json[];
      return list.length === 1 ? list : undefined;
    });
    await open('#/bus');
    await page.locator(`tr[data-address="${AGENT}"] .dead-count`, { hasText: '1' }).waitFor();
    await screenshot(page, 'bus');
    await page.locator(`tr[data-address="${AGENT}"] a`).click();
    const item = page.locator(`li[data-dead-letter="${entry.id}"]`);
    await expect(item.locator('.reason').textContent()).resolves.toBe('malformed_json');
    await item.locator('summary').click();
    await expect(item.locator('pre').textContent()).resolves.toContain('{not json');
    await screenshot(page, 'bus-address');
    let confirmed = '';
    page.once('dialog', (d) => {
      confirmed = d.message();
      void d.accept();
    });
    await item.getByRole('button', { name: 'Replay' }).click();
    await page.locator('.note', { hasText: 'Replayed 1.' }).waitFor();
    expect(confirmed).toMatch(/Replay this dead letter/);
    await item.waitFor({ state: 'detached' });
    // Replayed as written, the malformed entry went back on the stream and was dead-lettered again.
    await waitFor('the replayed entry to come back', async () => {
      const list = (await system.call('GET', `/api/bus/streams/${AGENT}/dead-letters`)).body.dead_letters as Json[];
      return list.length === 1 && list[0].id !== entry.id;
    });
  });

  it('project_planning: the plan step renders as a task graph', async () => {
    const started = await system.call('POST', '/api/workflows/project_planning/runs', {
      input: { brief: 'Patient portal: appointment booking' },
    });
    const runId = started.body.run_id as string;
    await system.waitRun(runId, ['completed', 'failed']);
    await open(`#/runs/${runId}`);
    await page.locator('g.node[data-step="plan"]').click();
    const plan = page.locator('details.step figure.plan');
    await plan.waitFor();
    const run = await system.call('GET', `/api/workflows/runs/${runId}`);
    const planStep = (run.body.steps as Json[]).find((s) => s.step_id === 'plan');
    expect(await plan.locator('g.node').count()).toBe(planStep!.output.tasks.length);
    expect(await plan.locator('line.edge').count()).toBeGreaterThan(0);
    // The run's report colours each node by its outcome and links its task.
    const report = page.locator('figure.plan').last();
    expect(await report.locator('g.node.step-completed').count()).toBe(planStep!.output.tasks.length);
    await screenshot(page, 'run-plan');
    await report.locator('a').first().click();
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    await page.locator('.toolbar .status-completed').waitFor();
  });

  it('sign-in: the key goes out as Bearer, scopes hide actions, stream tickets are used, 401 asks to sign in', async () => {
    // Auth (issue 13) is not on this branch: its routes are stood in for at the browser's network layer.
    const context = await browser.newContext();
    const p = await context.newPage();
    p.setDefaultTimeout(UI_TIMEOUT);
    const seen = { bearer: new Set<string>(), sse: [] as string[] };
    let me = { status: 401, body: { statusCode: 401, message: 'missing or invalid credentials' } as Json };
    await p.route('**/api/auth/me', (route) =>
      route.fulfill({ status: me.status, contentType: 'application/json', body: JSON.stringify(me.body) }),
    );
    await p.route('**/api/auth/stream-tickets', (route) =>
      route.fulfill({
        status: 201,
        contentType: 'application/json',
        body: JSON.stringify({ ticket: 'tkt-1', expires_at: '' }),
      }),
    );
    p.on('request', (r) => {
      const auth = r.headers()['authorization'];
      if (auth) seen.bearer.add(auth);
      if (r.url().includes('/events')) seen.sse.push(r.url());
    });
    try {
      await p.goto(`${system.url}/console#/runs`);
      await p.getByRole('alert').filter({ hasText: 'Sign in with an API key' }).waitFor();
      me = {
        status: 200,
        body: { id: 'k1', kind: 'api_key', name: 'reader', scopes: ['tasks:read', 'registry:read'] },
      };
      await p.getByLabel('API key').fill('ea_test_key');
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByText('Signed in as').waitFor();
      await p.locator('main h1', { hasText: 'Workflow runs' }).waitFor();
      // Without workflows:run there is no start link, only the scope it needs.
      expect(await p.locator('a', { hasText: 'Start mcq_generation' }).count()).toBe(0);
      await p.getByText('(needs scope workflows:run)').first().waitFor();
      await p.goto(`${system.url}/console#/bus/QA-003`);
      await p.locator('main h1', { hasText: 'Address QA-003' }).waitFor();
      expect(await p.getByRole('button', { name: /Replay|Purge/ }).count()).toBe(0);
      await p.goto(`${system.url}/console#/fleet`);
      await p.locator('.live.on').waitFor();
      expect([...seen.bearer]).toEqual(['Bearer ea_test_key']);
      expect(seen.sse.some((u) => u.endsWith('/api/agents/events?ticket=tkt-1'))).toBe(true);
      expect(await p.evaluate<string | null>("sessionStorage.getItem('expert-agents.api-key')")).toBe('ea_test_key');
      await screenshot(p, 'signed-in-reader', false);
    } finally {
      await context.close();
    }
  });

  it('phone width and dark mode: the fleet stays usable', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const phone = await context.newPage();
    try {
      await phone.goto(`${system.url}/console#/fleet`);
      await phone.locator('tr[data-agent="PM-001"]').waitFor();
      const bg = await phone.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      expect(bg).toBe('rgb(13, 17, 23)');
      const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(phone, 'fleet-phone-dark');
    } finally {
      await context.close();
    }
  });
});
