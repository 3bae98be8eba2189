/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- the CLI prints whatever JSON the HTTP APIs answer */
/**
 * expert-agents command-line client: talks to the orchestrator's and the registry's HTTP APIs.
 *   npx expert-agents workflows run mcq_generation --input '{"topics":["Cardiology: atrial fibrillation"]}'
 *   npx expert-agents tasks submit --title "Design the orders API" --role backend_dev --wait
 *   npx expert-agents agents list --role medical_expert
 * ORCHESTRATOR_URL / REGISTRY_URL (or --url / --registry) say where the services are; the credential
 * comes from EXPERT_AGENTS_API_KEY or .expert-agents/credentials.json (credentials.ts).
 */
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { authHeaders } from './credentials';
import { addKeysCommand } from './keys.command';
import { addWebhooksCommand } from './webhooks.command';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const err = (text: string): void => void process.stderr.write(`${text}\n`);

class ApiError extends Error {}

async function api(base: string, method: string, path: string, body?: unknown): Promise<Json> {
  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/$/, '')}${path}`, {
      method,
      headers: { ...authHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(`cannot reach ${base}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let parsed: Json = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  if (!response.ok)
    throw new ApiError(
      `${method} ${path} -> ${response.status}: ${typeof parsed === 'object' ? parsed.message : text}`,
    );
  return parsed;
}

/** Reads a text/event-stream; onEvent returns true to stop reading. Resolves when the stream ends or is stopped. */
async function followSse(
  url: string,
  onEvent: (type: string, data: Json, id: string | undefined) => boolean | void,
): Promise<void> {
  const response = await fetch(url, { headers: { ...authHeaders(), accept: 'text/event-stream' } });
  if (!response.ok || !response.body) throw new ApiError(`GET ${url} -> ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trim());
      }
      if (data.length > 0 && onEvent(type, JSON.parse(data.join('\n')), id) === true) {
        await reader.cancel();
        return;
      }
    }
  }
}

function parseJson(value: string, what: string): Json {
  try {
    return JSON.parse(value);
  } catch {
    throw new ApiError(`${what} must be JSON (got ${value})`);
  }
}

/**
 * Follows a run with a live progress bar (steps finished / steps started) until it ends. At an
 * approval step it answers with `approve` when given, else returns the waiting run.
 */
async function followRun(base: string, runId: string, approve?: string): Promise<Json> {
  const bar = new SingleBar(
    { format: ' {bar} {value}/{total} steps | {status} | {last}', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(1, 0, { status: 'running', last: '' });
  let started = 0;
  let finished = 0;
  let waiting = 0;
  for (;;) {
    let paused = false;
    started = 0;
    finished = 0;
    waiting = 0;
    await followSse(`${base}/api/workflows/runs/${runId}/events`, (type, e) => {
      if (type === 'step_started') started += 1;
      if (type === 'step_completed' || type === 'step_failed') finished += 1;
      if (type === 'input_required') waiting += 1;
      if (type === 'resumed') waiting -= 1;
      const status = type.startsWith('run_') ? type.slice(4) : waiting > 0 ? 'waiting for a decision' : 'running';
      bar.setTotal(Math.max(started, finished, 1));
      bar.update(finished, { status, last: e.step_key ?? type });
      // History is replayed first: stop at a decision only if the run still waits for it.
      if (type === 'input_required') {
        paused = true;
        return true;
      }
      return false;
    });
    const run = await api(base, 'GET', `/api/workflows/runs/${runId}`);
    if (!paused || run.status !== 'input_required') {
      if (run.status === 'running') continue; // a decision was given meanwhile: follow on
      bar.stop();
      return run;
    }
    if (approve === undefined) {
      bar.stop();
      return run;
    }
    bar.update(finished, { status: `answering "${approve}"`, last: run.pending_approval.step_key });
    await api(base, 'POST', `/api/workflows/runs/${runId}/resume`, { decision: approve });
  }
}

function program(): Command {
  const cli = new Command('expert-agents').description('Client for the expert-agents orchestrator and registry');
  cli.addOption(
    new Option('--url <url>', 'orchestrator base URL').env('ORCHESTRATOR_URL').default('http://127.0.0.1:5200'),
  );
  cli.addOption(
    new Option('--registry <url>', 'registry base URL').env('REGISTRY_URL').default('http://127.0.0.1:5100'),
  );
  cli.option('--json', 'print raw JSON');
  const opts = () => cli.opts<{ url: string; registry: string; json?: boolean }>();

  const tasks = cli.command('tasks').description('submit, list, show and cancel tasks');
  tasks
    .command('submit')
    .requiredOption('--title <title>')
    .option('--description <text>')
    .option('--role <role>')
    .option('--capability <capability>')
    .option('--agent <agent_id>')
    .option('--input <json>', 'task input as JSON', '{}')
    .option('--priority <n>', 'higher first', (v) => Number(v))
    .option('--timeout <seconds>', 'deadline per attempt', (v) => Number(v))
    .option('--idempotency-key <key>')
    .option('--wait', 'follow the task until it ends')
    .action(async (o: Json) => {
      const body: Json = { title: o.title, input: parseJson(o.input, '--input') };
      if (o.description) body.description = o.description;
      if (o.role) body.role = o.role;
      if (o.capability) body.capability = o.capability;
      if (o.agent) body.agent_id = o.agent;
      if (o.priority !== undefined) body.priority = o.priority;
      if (o.timeout !== undefined) body.timeout_seconds = o.timeout;
      if (o.idempotencyKey) body.idempotency_key = o.idempotencyKey;
      const { url } = opts();
      const accepted = await api(url, 'POST', '/api/tasks', body);
      out(`task ${accepted.task_id} ${accepted.status}`);
      if (!o.wait) return;
      await followSse(`${url}/api/tasks/${accepted.task_id}/events`, (type, e) =>
        out(`  ${e.created_at} ${type}${e.agent_id ? ` (${e.agent_id})` : ''}`),
      );
      const task = await api(url, 'GET', `/api/tasks/${accepted.task_id}`);
      out(JSON.stringify(task.result ?? task.error, null, 2));
    });
  tasks
    .command('list')
    .option('--status <status>')
    .option('--role <role>')
    .option('--agent <agent_id>')
    .option('--run <run_id>', 'tasks of a workflow run')
    .option('--limit <n>', 'page size', '20')
    .action(async (o: Json) => {
      const q = new URLSearchParams({ limit: o.limit });
      if (o.status) q.set('status', o.status);
      if (o.role) q.set('role', o.role);
      if (o.agent) q.set('agent_id', o.agent);
      if (o.run) q.set('workflow_run_id', o.run);
      const page = await api(opts().url, 'GET', `/api/tasks?${q.toString()}`);
      if (opts().json) return out(JSON.stringify(page, null, 2));
      for (const t of page.tasks)
        out(`${t.task_id}  ${t.status.padEnd(11)} ${String(t.agent_id ?? '-').padEnd(10)} ${t.title}`);
      if (page.next_cursor) out(`(more: --cursor ${page.next_cursor})`);
    });
  tasks
    .command('get <task_id>')
    .action(async (id: string) => out(JSON.stringify(await api(opts().url, 'GET', `/api/tasks/${id}`), null, 2)));
  tasks
    .command('cancel <task_id>')
    .action(async (id: string) => out(JSON.stringify(await api(opts().url, 'POST', `/api/tasks/${id}/cancel`))));

  const workflows = cli.command('workflows').description('list workflows, start and follow runs');
  workflows.command('list').action(async () => {
    const { workflows: list } = await api(opts().url, 'GET', '/api/workflows');
    for (const w of list) out(`${w.name.padEnd(18)} needs ${w.required_input.join(', ') || '-'}  ${w.description}`);
  });
  workflows
    .command('run <name>')
    .option('--input <json>', 'run input as JSON', '{}')
    .option('--approve <decision>', 'answer an approval step with this decision (e.g. approve)')
    .option('--no-follow', 'start and print the run id only')
    .action(async (name: string, o: Json) => {
      const { url } = opts();
      const started = await api(url, 'POST', `/api/workflows/${name}/runs`, { input: parseJson(o.input, '--input') });
      out(`run ${started.run_id} of ${name} started`);
      if (!o.follow) return;
      const run = await followRun(url, started.run_id, o.approve);
      out(`run ${run.run_id}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
      if (run.status === 'input_required')
        out(
          `waiting for a decision: ${run.pending_approval.prompt}\n  resume with: POST ${url}/api/workflows/runs/${run.run_id}/resume {"decision": "approve"}`,
        );
      out(JSON.stringify(run.output, null, 2));
      if (run.status === 'failed' || run.status === 'canceled') process.exitCode = 1;
    });
  workflows
    .command('get <run_id>')
    .action(async (id: string) =>
      out(JSON.stringify(await api(opts().url, 'GET', `/api/workflows/runs/${id}`), null, 2)),
    );
  workflows
    .command('cancel <run_id>')
    .action(async (id: string) =>
      out(JSON.stringify((await api(opts().url, 'POST', `/api/workflows/runs/${id}/cancel`)).status)),
    );
  workflows
    .command('resume <run_id>')
    .requiredOption('--decision <decision>')
    .option('--comment <text>')
    .action(async (id: string, o: Json) => {
      const run = await api(opts().url, 'POST', `/api/workflows/runs/${id}/resume`, {
        decision: o.decision,
        ...(o.comment ? { comment: o.comment } : {}),
      });
      out(`run ${id}: ${run.status}`);
    });

  const agents = cli.command('agents').description('the registry: who is online');
  agents
    .command('list')
    .option('--role <role>')
    .option('--status <status>')
    .action(async (o: Json) => {
      const q = new URLSearchParams();
      if (o.role) q.set('role', o.role);
      if (o.status) q.set('status', o.status);
      const { agents: list } = await api(opts().registry, 'GET', `/api/agents?${q.toString()}`);
      if (opts().json) return out(JSON.stringify(list, null, 2));
      for (const a of list)
        out(
          `${a.agent_id.padEnd(11)} ${a.status.padEnd(8)} ${a.role.padEnd(18)} ${a.load.current_tasks}/${a.load.max_tasks}  ${a.name}`,
        );
    });
  const schedules = cli.command('schedules').description('cron schedules that start runs or tasks');
  schedules.command('list').action(async () => {
    const { schedules: list } = await api(opts().url, 'GET', '/api/schedules');
    if (opts().json) return out(JSON.stringify(list, null, 2));
    for (const s of list)
      out(
        `${s.schedule_id}  ${s.name.padEnd(20)} ${s.cron.padEnd(16)} ${s.timezone.padEnd(14)} ${s.paused ? 'paused ' : 'active '} next ${s.next_fire_times[0] ?? '-'}`,
      );
  });
  schedules
    .command('create')
    .requiredOption('--name <name>')
    .requiredOption('--cron <expr>', 'cron expression (6 fields: seconds first)')
    .option('--timezone <tz>', 'IANA time zone', 'UTC')
    .option('--workflow <name>', 'start a run of this workflow')
    .option('--input <json>', 'the run input', '{}')
    .option('--task <json>', 'start this task (the body of POST /api/tasks)')
    .option('--overlap <policy>', 'skip | queue | allow')
    .option('--catch-up <policy>', 'none | last | all')
    .action(async (o: Json) => {
      const target = o.task
        ? { task: parseJson(o.task, '--task') }
        : { workflow: o.workflow, input: parseJson(o.input, '--input') };
      const body = {
        name: o.name,
        cron: o.cron,
        timezone: o.timezone,
        target,
        overlap: o.overlap,
        catch_up: o.catchUp,
      };
      out(JSON.stringify(await api(opts().url, 'POST', '/api/schedules', body), null, 2));
    });
  for (const [verb, method, suffix] of [
    ['get', 'GET', ''],
    ['pause', 'POST', '/pause'],
    ['resume', 'POST', '/resume'],
    ['trigger', 'POST', '/trigger'],
    ['delete', 'DELETE', ''],
  ] as const) {
    schedules.command(`${verb} <schedule_id>`).action(async (id: string) => {
      const answer = await api(opts().url, method, `/api/schedules/${id}${suffix}`);
      out(verb === 'delete' ? `deleted ${id}` : JSON.stringify(answer, null, 2));
    });
  }
  addKeysCommand(
    cli,
    (method, path, body) => api(opts().url, method, path, body),
    out,
    () => opts().json === true,
  );
  addWebhooksCommand(
    cli,
    (method, path, body) => api(opts().url, method, path, body),
    out,
    () => opts().json === true,
  );
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    err(error instanceof ApiError ? error.message : String(error instanceof Error ? error.stack : error));
    process.exitCode = 1;
  });
