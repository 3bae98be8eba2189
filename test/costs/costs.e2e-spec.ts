import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { PriceTable } from '@app/agents';
import { OrchestratorPatterns, ORCHESTRATOR_RPC_ADDRESS } from '@app/contracts';
import { RedisStreamsClient } from '@app/transport';
import { call } from '../support/http-client';
import { TEST_REDIS_URL } from '../support/test-env';
import { Json, TestSystem } from '../orchestrator/support/system';

jest.setTimeout(180_000);

/** The scripted model priced by an override file, so the expected figures come from this test's own table. */
const PRICES = { prices: [{ provider: 'scripted', model: 'scripted', input: 3, output: 15, cached_input: 0.3 }] };

describe('token usage, cost and budgets (real hosts, orchestrator, PostgreSQL, Redis)', () => {
  const system = new TestSystem();
  const dir = mkdtempSync(join(tmpdir(), 'ea-prices-'));
  const table = new PriceTable(PRICES.prices);

  beforeAll(async () => {
    const pricesFile = join(dir, 'prices.json');
    writeFileSync(pricesFile, JSON.stringify(PRICES));
    await system.start();
    await system.addHost('all', { MODEL_PRICES_FILE: pricesFile });
    await system.agentsOnline(['PM-001', 'DEV-001', 'QA-001', 'MED-001']);
  });

  afterAll(async () => {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const costOf = (a: Json) =>
    table.cost('scripted', 'scripted', { input_tokens: a.input_tokens, output_tokens: a.output_tokens }).usd;

  it('records each attempt’s usage and its cost by the price table; the task shows the totals', async () => {
    const r = await system.call('POST', '/api/tasks', { title: 'Design the orders API', agent_id: 'DEV-001' });
    expect(r.status).toBe(202);
    const task = await system.waitTask(r.body.task_id);
    expect(task.status).toBe('completed');
    const [attempt] = task.attempts;
    expect(attempt.input_tokens).toBeGreaterThan(0);
    expect(attempt.output_tokens).toBeGreaterThan(0);
    expect(attempt.cost_usd).toBe(costOf(attempt));
    expect(attempt.cost_usd).toBe((attempt.input_tokens * 3 + attempt.output_tokens * 15) / 1e6);
    expect(task.usage).toEqual({
      input_tokens: attempt.input_tokens,
      output_tokens: attempt.output_tokens,
      cached_input_tokens: 0,
    });
    expect(task.cost).toEqual({ usd: attempt.cost_usd });

    // The host's counter holds the dollars of every model call it made for DEV-001, priced by the same table: on a
    // loaded machine an entry may be executed twice (a redelivery whose second result is discarded), and both
    // calls were paid, so the counter is checked against the host's own token counters, not the one attempt.
    const metrics = (await call(system.hosts[0].baseUrl, 'GET', '/metrics')).text.split('\n');
    const value = (re: RegExp) =>
      Number(
        metrics
          .find((l) => re.test(l))
          ?.split(' ')
          .pop(),
      );
    const cost = value(/^agent_model_cost_usd_total\{(?=.*agent_id="DEV-001")(?=.*model="scripted").*\} /);
    const tokensIn = value(/^agent_model_tokens_total\{(?=.*agent_id="DEV-001")(?=.*direction="input").*\} /);
    const tokensOut = value(/^agent_model_tokens_total\{(?=.*agent_id="DEV-001")(?=.*direction="output").*\} /);
    expect(cost).toBeCloseTo((tokensIn * 3 + tokensOut * 15) / 1e6, 12);
    expect(cost).toBeGreaterThanOrEqual(attempt.cost_usd - 1e-12);

    const byAgent = await system.call('GET', '/api/usage?group_by=agent');
    expect(byAgent.status).toBe(200);
    expect(byAgent.body.totals.find((t: Json) => t.agent === 'DEV-001').cost.usd).toBeGreaterThanOrEqual(
      attempt.cost_usd,
    );
    expect((await system.call('GET', '/api/usage?group_by=team')).status).toBe(400);
  });

  it('a workflow run shows the sum of its tasks’ usage and cost', async () => {
    const started = await system.call('POST', '/api/workflows/mcq_generation/runs', {
      input: { topics: ['Cardiology: atrial fibrillation'] },
    });
    const run = await system.waitRun(started.body.run_id, ['completed', 'failed']);
    expect(run.status).toBe('completed');
    const list = (await system.call('GET', `/api/tasks?workflow_run_id=${run.run_id}&limit=100`)).body.tasks as Json[];
    let usd = 0;
    let input = 0;
    for (const t of list) {
      const full = (await system.call('GET', `/api/tasks/${t.task_id}`)).body;
      for (const a of full.attempts) {
        expect(a.cost_usd).toBe(costOf(a));
        usd += a.cost_usd;
        input += a.input_tokens;
      }
    }
    expect(run.usage.input_tokens).toBe(input);
    expect(run.cost.usd).toBeCloseTo(usd, 9);
    expect(run.cost.usd).toBeGreaterThan(0);
  });

  it('a task that reaches its budget makes no further model call and fails with budget_exceeded', async () => {
    // The first reply is broken JSON: the agent would call the model again to repair it, but 1 token is the limit.
    const r = await system.call('POST', '/api/tasks', {
      title: 'Review the schema',
      agent_id: 'DEV-001',
      input: { scripted: { invalid_json_once: true } },
      budget: { max_tokens: 1 },
    });
    expect(r.status).toBe(202);
    const task = await system.waitTask(r.body.task_id);
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(/^budget_exceeded: \d+ tokens used, max_tokens is 1$/);
    expect(task.attempts).toHaveLength(1);
    // One call's usage only: the repair call was never made.
    const [attempt] = task.attempts;
    expect(attempt.cost_usd).toBe(costOf(attempt));
    expect(task.history.map((e: Json) => e.status)).toContain('failed');
    const failed = task.history.find((e: Json) => e.status === 'failed');
    expect(JSON.stringify(failed.detail)).toContain('budget_exceeded');
  });

  it('a budget is validated: bad fields are named', async () => {
    const r = await system.call('POST', '/api/tasks', {
      title: 'x',
      agent_id: 'DEV-001',
      budget: { max_tokens: 0, max_cost_usd: -1 },
    });
    expect(r.status).toBe(400);
    const fields = (r.body.errors as Json[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['budget.max_tokens', 'budget.max_cost_usd']));
    const unknown = await system.call('POST', '/api/tasks', {
      title: 'x',
      agent_id: 'DEV-001',
      budget: { dollars: 1 },
    });
    expect(unknown.status).toBe(400);
  });

  it('a workflow run that spends its budget ends failed with budget_exceeded and starts no further step', async () => {
    const started = await system.call('POST', '/api/workflows/mcq_generation/runs', {
      input: { topics: ['Cardiology: atrial fibrillation'] },
      budget: { max_tokens: 1 },
    });
    expect(started.status).toBe(202);
    const run = await system.waitRun(started.body.run_id, ['completed', 'failed', 'canceled']);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^budget_exceeded: the run used \d+ tokens, max_tokens is 1$/);
    expect(run.budget).toEqual({ max_tokens: 1 });
    // The plan step ran (with the whole budget as its own), nothing after it.
    const tasks = (await system.call('GET', `/api/tasks?workflow_run_id=${run.run_id}&limit=100`)).body.tasks as Json[];
    expect(tasks.map((t) => t.step_key)).toEqual(['plan#1']);
    const events = (await system.call('GET', `/api/workflows/runs/${run.run_id}/events`)).text;
    expect(events).toContain('run_failed');
    expect(run.usage.input_tokens).toBeGreaterThan(0);
  });

  it('the RPC workflows.start carries a budget like the HTTP route, and names a bad one', async () => {
    const client = new RedisStreamsClient({
      url: TEST_REDIS_URL,
      keyPrefix: system.transportPrefix,
      defaultTarget: ORCHESTRATOR_RPC_ADDRESS,
    });
    try {
      const started = await lastValueFrom(
        client.send<Json>(OrchestratorPatterns.StartWorkflow, {
          name: 'mcq_generation',
          input: { topics: ['Cardiology: heart failure'] },
          budget: { max_tokens: 1 },
        }),
      );
      const run = await system.waitRun(started.run_id, ['completed', 'failed', 'canceled']);
      expect(run.status).toBe('failed');
      expect(run.budget).toEqual({ max_tokens: 1 });
      expect(run.error).toMatch(/^budget_exceeded: the run used \d+ tokens, max_tokens is 1$/);
      await expect(
        lastValueFrom(
          client.send(OrchestratorPatterns.StartWorkflow, {
            name: 'mcq_generation',
            input: { topics: ['x'] },
            budget: { max_tokens: 0 },
          }),
        ),
      ).rejects.toMatchObject({ message: expect.stringContaining('budget.max_tokens') });
    } finally {
      await client.close();
    }
  });

  it('the host’s own POST /agents/{id}/task honours a budget and validates it', async () => {
    const host = system.hosts[0].baseUrl;
    // As above: the broken first reply needs a second (repair) call, which the budget refuses.
    const body = { title: 'Review the schema', input: { scripted: { invalid_json_once: true } } };
    const spent = await call(host, 'POST', '/agents/DEV-001/task', { ...body, budget: { max_tokens: 1 } });
    expect(spent.status).toBe(200);
    expect(spent.body.status).toBe('failed');
    expect(spent.body.error).toMatch(/^budget_exceeded: \d+ tokens used, max_tokens is 1$/);
    // Without a budget the same task makes the repair call and completes: more tokens than the budgeted one used.
    const free = await call(host, 'POST', '/agents/DEV-001/task', body);
    expect(free.body.status).toBe('completed');
    expect(spent.body.usage.input_tokens).toBeLessThan(free.body.usage.input_tokens);

    const bad = await call(host, 'POST', '/agents/DEV-001/task', { title: 't', budget: { max_tokens: 0, tokens: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['budget.max_tokens']),
    );
  });
});
