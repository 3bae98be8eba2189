/**
 * The cost of validating a hot message (decision 0167): a typical task.result and a typical POST /api/tasks body,
 * by the compiled JSON Schema the validation pipe now runs, beside the hand-written predicate it replaced (kept
 * here verbatim as the baseline) and class-validator (the path both skip), in the same process, turn by turn.
 * Run: npm run bench:validation (figures also in bench/results/validation.json). Env: BENCH_VALIDATIONS (per round, default 200000), BENCH_ROUNDS (default 7).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TaskResultMessage } from '@app/contracts';
import { CreateTaskDto } from '../../apps/orchestrator/src/tasks/dto/create-task.dto';
import { legacyCreateTaskFastCheck, legacyResultFastCheck, LegacyTaskResult } from './legacy-fast-checks';

const N = Number(process.env.BENCH_VALIDATIONS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const result = {
  task_id: '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5f',
  attempt: 1,
  agent_id: 'DEV-001',
  status: 'completed',
  result: { kind: 'plan', summary: 'A plan', tasks: [{ id: 't1', title: 'Design' }] },
  started_at: '2026-12-02T10:00:00.000Z',
  completed_at: '2026-12-02T10:00:01.234Z',
  model: 'scripted',
  usage: { input_tokens: 1200, output_tokens: 340, cached_input_tokens: 800 },
  cost_usd: 0.0123,
};
const submission = {
  title: 'Design the login API',
  description: 'OAuth2 with PKCE for the mobile app',
  role: 'backend_dev',
  capability: 'api_design',
  priority: 3,
  timeout_seconds: 120,
  idempotency_key: 'order-42-design',
  budget: { max_tokens: 20_000, max_cost_usd: 0.5 },
};

/** ns per validation of `value` by `check` (N calls; every call must accept, or the figure would be of a refusal). */
function time(check: (v: unknown) => boolean, value: unknown, n: number): number {
  // A fresh copy per round, as each message is a fresh JSON.parse.
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const start = process.hrtime.bigint();
  let accepted = 0;
  for (let i = 0; i < n; i++) if (check(copy)) accepted++;
  const ns = Number(process.hrtime.bigint() - start) / n;
  if (accepted !== n) throw new Error('a benchmarked check refused the typical message');
  return ns;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const classValidator = (type: new () => object) => (v: unknown) =>
  validateSync(plainToInstance(type, v), { whitelist: true, forbidNonWhitelisted: true }).length === 0;

const cases: { name: string; value: unknown; checks: Record<string, (v: unknown) => boolean> }[] = [
  {
    name: 'task.result',
    value: result,
    checks: {
      'hand-written fastCheck (before)': legacyResultFastCheck,
      'compiled schema (now)': TaskResultMessage.schemaCheck,
      'class-validator (skipped by both)': classValidator(LegacyTaskResult),
    },
  },
  {
    name: 'POST /api/tasks body',
    value: submission,
    checks: {
      'hand-written fastCheck (before)': legacyCreateTaskFastCheck,
      'compiled schema (now)': CreateTaskDto.fastCheck,
      'class-validator (skipped by both)': classValidator(CreateTaskDto),
    },
  },
];

function main(): void {
  console.log(`node ${process.version}, ${N} validations per round, median of ${ROUNDS} rounds (turns alternate)`);
  const figures: Record<string, Record<string, number>> = {};
  for (const c of cases) {
    const samples: Record<string, number[]> = {};
    for (const name of Object.keys(c.checks)) {
      samples[name] = [];
      time(c.checks[name], c.value, Math.min(N, 20_000)); // warm-up
    }
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, check] of Object.entries(c.checks)) {
        // class-validator is ~100x slower: a tenth of the calls keeps the run short.
        const n = name.startsWith('class-validator') ? Math.max(1, Math.floor(N / 10)) : N;
        samples[name].push(time(check, c.value, n));
      }
    console.log(`\n${c.name}`);
    figures[c.name] = {};
    for (const [name, xs] of Object.entries(samples)) {
      figures[c.name][name] = Math.round(median(xs));
      console.log(`  ${name.padEnd(36)} ${median(xs).toFixed(0).padStart(7)} ns/validation`);
    }
  }
  const out = join(__dirname, '..', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'validation.json'),
    JSON.stringify({ at: new Date().toISOString(), node: process.version, n: N, rounds: ROUNDS, ns: figures }, null, 2),
  );
}

main();
