import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { register } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import { AppConfig } from '@app/config';
import { ORCHESTRATOR_RESULTS_ADDRESS, TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { RedisStreamsClient, TransportKeys } from '@app/transport';
import { startAgentHost } from '../../../apps/agent-host/src/bootstrap';
import { deleteRedisKeys, testConfig, uniqueRedisPrefix } from '../../support/http-app';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../support/test-env';
import { call, waitFor } from '../../support/http-client';

export interface HostUnderTest {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  close(): Promise<void>;
}

/** A transport key prefix of the test's own (TransportKeys refuses a trailing ':'-free check only on charset). */
export function uniqueTransportPrefix(): string {
  return uniqueRedisPrefix('agenthost').replace(/:$/, '');
}

/** The real agent host, in process, on a random port. prom-client's global registry is reset first. */
export async function startHost(env: Record<string, string>): Promise<HostUnderTest> {
  const config = testConfig(env);
  register.clear();
  const { app, port } = await startAgentHost(config, { port: 0, host: '127.0.0.1' });
  return { app, config, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export { call, waitFor };

/**
 * The e2e suites share one database: forget what earlier suites left for these agents (their
 * registry rows, and by cascade their load, capabilities and saved state) so a suite starts clean.
 */
export async function forgetAgents(ids: string[]): Promise<void> {
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    await db.query('DELETE FROM agent_registry WHERE agent_id = ANY($1)', [ids]);
  } finally {
    await db.end();
  }
}

export interface BusEnvelope {
  message_type: string;
  from_agent: string;
  to_agent: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
}

/** What the orchestrator would read: the results stream, read with raw XREAD from the start. */
export class ResultsReader {
  readonly redis: Redis;
  private readonly key: string;
  private lastId = '0-0';
  readonly seen: BusEnvelope[] = [];

  /** `url`: another Redis (e.g. a private one, as an ACL user). */
  constructor(prefix: string, url = TEST_REDIS_URL) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
    this.key = new TransportKeys(prefix).stream(ORCHESTRATOR_RESULTS_ADDRESS);
  }

  async poll(): Promise<BusEnvelope[]> {
    const res = await this.redis.xread('COUNT', 1000, 'STREAMS', this.key, this.lastId);
    for (const [id, fields] of res?.[0]?.[1] ?? []) {
      this.lastId = id;
      const i = fields.indexOf('envelope');
      this.seen.push(JSON.parse(fields[i + 1]) as BusEnvelope);
    }
    return this.seen;
  }

  of(taskId: string, pattern: string): BusEnvelope[] {
    return this.seen.filter((e) => e.message_type === pattern && e.payload.task_id === taskId);
  }

  /** Waits for the task.result of one task. */
  async result(taskId: string, timeoutMs = 15_000): Promise<BusEnvelope> {
    return waitFor(
      `task.result of ${taskId}`,
      async () => {
        await this.poll();
        return this.of(taskId, TaskPatterns.Result)[0];
      },
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

/** Sends tasks the way the orchestrator does: task.execute on the agent's stream. */
export class TaskSender {
  readonly client: RedisStreamsClient;

  constructor(
    readonly prefix: string,
    url = TEST_REDIS_URL,
  ) {
    this.client = new RedisStreamsClient({ url, keyPrefix: prefix, from: 'PM-001' });
  }

  async execute(agentId: string, overrides: Partial<TaskExecuteMessage> = {}): Promise<TaskExecuteMessage> {
    const message: TaskExecuteMessage = {
      task_id: randomUUID(),
      attempt: 1,
      agent_id: agentId,
      title: `e2e task for ${agentId}`,
      description: 'written by the agent-host e2e test',
      input: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
      ...overrides,
    };
    await lastValueFrom(this.client.to(agentId).emit(TaskPatterns.Execute, message));
    return message;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export async function cleanupPrefix(prefix: string): Promise<void> {
  await deleteRedisKeys(prefix);
}
