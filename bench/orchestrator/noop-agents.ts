/**
 * No-op agents for the orchestrator benchmark (a child process): consumes task.execute on the
 * BENCH agents' streams and answers at once with task.started and task.result (completed) on the
 * orchestrator's results stream, like an agent host whose model takes no time. The same agents
 * answer `bench.echo` on the `bench.results` stream for the bare-bus baseline.
 * Slow agents (BENCH_SLOW_AGENTS, role BENCH_SLOW_ROLE) take BENCH_SLOW_MS per task and read at most
 * BENCH_SLOW_SLOTS at a time (their max_tasks): the overload phase offers them more than that.
 * Env: REDIS_URL, TRANSPORT_KEY_PREFIX, BENCH_AGENTS (comma separated ids), REGISTRY_URL, BENCH_SIGNER_ID and
 * BENCH_SIGNER_SECRET (sign reports as a host credential).
 */
import 'reflect-metadata';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ORCHESTRATOR_RESULTS_ADDRESS, TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { RedisStreamsClient, RedisStreamsContext, RedisStreamsServer } from '@app/transport';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = process.env.TRANSPORT_KEY_PREFIX ?? 'ea';
const AGENTS = (process.env.BENCH_AGENTS ?? 'BEN-001').split(',');
const REGISTRY_URL = process.env.REGISTRY_URL ?? 'http://127.0.0.1:5100';
const SLOW_AGENTS = (process.env.BENCH_SLOW_AGENTS ?? '').split(',').filter(Boolean);
const SLOW_ROLE = process.env.BENCH_SLOW_ROLE ?? 'data_engineer';
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 50);
const SLOW_SLOTS = Number(process.env.BENCH_SLOW_SLOTS ?? 4);
export const BENCH_RESULTS_ADDRESS = 'bench.results';
const CLIENT = Symbol('CLIENT');
// A host credential's signing material (docs/decisions/0091): reports are signed as a real host signs them.
const SIGNER =
  process.env.BENCH_SIGNER_ID && process.env.BENCH_SIGNER_SECRET
    ? { keyId: process.env.BENCH_SIGNER_ID, secret: process.env.BENCH_SIGNER_SECRET }
    : undefined;

@Controller()
class NoopController {
  constructor(@Inject(CLIENT) private readonly client: RedisStreamsClient) {}

  @MessagePattern(TaskPatterns.Execute)
  async execute(@Payload() task: TaskExecuteMessage): Promise<void> {
    const at = new Date().toISOString();
    if (SLOW_AGENTS.includes(task.agent_id)) await new Promise((r) => setTimeout(r, SLOW_MS));
    const completedAt = SLOW_AGENTS.includes(task.agent_id) ? new Date().toISOString() : at;
    const out = this.client.to(ORCHESTRATOR_RESULTS_ADDRESS);
    await Promise.all([
      lastValueFrom(
        out.emit(
          TaskPatterns.Started,
          { task_id: task.task_id, attempt: task.attempt, agent_id: task.agent_id, started_at: at },
          { from: task.agent_id },
        ),
      ),
      lastValueFrom(
        out.emit(
          TaskPatterns.Result,
          {
            task_id: task.task_id,
            attempt: task.attempt,
            agent_id: task.agent_id,
            status: 'completed',
            result: { output: { ok: true } },
            started_at: at,
            completed_at: completedAt,
            model: 'noop',
          },
          { from: task.agent_id },
        ),
      ),
    ]);
  }

  @MessagePattern('bench.echo')
  async echo(@Payload() payload: { id: string; sent: number }, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    const out = this.client.to(BENCH_RESULTS_ADDRESS);
    const from = ctx.getAddress();
    await Promise.all([
      lastValueFrom(out.emit('bench.started', payload, { from })),
      lastValueFrom(out.emit('bench.result', payload, { from })),
    ]);
  }
}

@Module({
  controllers: [NoopController],
  providers: [
    {
      provide: CLIENT,
      useFactory: () => new RedisStreamsClient({ url: REDIS_URL, keyPrefix: PREFIX, signer: SIGNER }),
    },
  ],
})
class NoopModule {}

async function register(): Promise<void> {
  for (const agent of [...AGENTS, ...SLOW_AGENTS]) {
    const slow = SLOW_AGENTS.includes(agent);
    const body = {
      agent_id: agent,
      name: `No-op ${agent}`,
      role: slow ? SLOW_ROLE : 'backend_dev',
      host: '127.0.0.1',
      port: 6999,
      capabilities: [{ capability: 'noop', proficiency_level: 5 }],
      ...(slow ? { max_tasks: SLOW_SLOTS } : {}),
    };
    const r = await fetch(`${REGISTRY_URL}/api/agents/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`register ${agent}: ${r.status} ${await r.text()}`);
  }
}

async function heartbeat(): Promise<void> {
  for (const agent of [...AGENTS, ...SLOW_AGENTS]) {
    await fetch(`${REGISTRY_URL}/api/agents/${agent}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ current_tasks: 0, max_tasks: SLOW_AGENTS.includes(agent) ? SLOW_SLOTS : 1000 }),
    }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const server = new RedisStreamsServer({
    url: REDIS_URL,
    keyPrefix: PREFIX,
    consumerName: `noop-${process.pid}`,
    addresses: [
      ...AGENTS.map((a) => ({ address: a, concurrency: 512 })),
      ...SLOW_AGENTS.map((a) => ({ address: a, concurrency: SLOW_SLOTS })),
    ],
    blockMs: 200,
  });
  const app = await NestFactory.createMicroservice(NoopModule, { strategy: server, logger: ['error', 'warn'] });
  await app.listen();
  await register();
  await heartbeat();
  setInterval(() => void heartbeat(), 5_000);
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 2_000).unref(); // a benchmark helper: never outlive the run
    void app.close().then(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`noop agents failed: ${String(error)}\n`);
  process.exit(1);
});
