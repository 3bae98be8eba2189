import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { RateLimitedWarn } from '@app/persistence';
import { ErrorBody } from '../http/error-body';
import { DependencyName, DependencyProbe, ProbeResult } from './dependency-probe';

export interface DependencyGateOptions {
  databaseUrl: string;
  redisUrl: string;
  /** The app's HTTP port: answered (liveness true, readiness false) while waiting. 0 = no server. */
  port: number;
  host?: string;
  /** Capped exponential backoff between probes. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

const LABEL: Record<DependencyName, string> = { database: 'PostgreSQL', redis: 'Redis' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
  res.end(JSON.stringify(body));
}

/** Liveness true; readiness and everything else 503 in the uniform error body, naming what is awaited. */
function answer(req: IncomingMessage, res: ServerResponse, last: ProbeResult): void {
  const path = (req.url ?? '/').split('?')[0];
  const waitingFor = Object.keys(last.down) as DependencyName[];
  if (req.method === 'GET' && path === '/health') return json(res, 200, { status: 'healthy', waiting_for: waitingFor });
  const reasons = waitingFor.map((d) => `${LABEL[d]} (${last.down[d]})`).join(' and ');
  const body: ErrorBody = {
    statusCode: 503,
    error: 'Service Unavailable',
    message: `starting: waiting for ${reasons || 'start-up'}`,
    path,
    timestamp: new Date().toISOString(),
    request_id: randomUUID(),
  };
  json(res, 503, body);
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Waits, for as long as it takes, until PostgreSQL and Redis both answer, so that a process started during an
 * outage waits instead of exiting. Meanwhile the app's port answers `/health` (200) and `/health/ready` (503), so
 * an orchestrator (Kubernetes) sees a live process that is not ready. Returns at once when both answer; throws only
 * for failures that are not an outage (e.g. PostgreSQL refusing the credentials).
 */
export async function waitForDependencies(
  options: DependencyGateOptions,
  logger = new Logger('Startup'),
): Promise<void> {
  const probe = new DependencyProbe(options.databaseUrl, options.redisUrl);
  const warn = new RateLimitedWarn(logger);
  let server: Server | undefined;
  try {
    let last = await probe.probe();
    for (let attempt = 1; Object.keys(last.down).length > 0; attempt++) {
      const waitingFor = Object.entries(last.down).map(([d, why]) => `${LABEL[d as DependencyName]} (${why})`);
      warn.warn('waiting', `waiting for ${waitingFor.join(' and ')}; attempt ${attempt}`);
      if (!server && options.port > 0) {
        server = createServer((req, res) => answer(req, res, last));
        await listen(server, options.port, options.host ?? '0.0.0.0');
      }
      const initial = options.initialDelayMs ?? 250;
      await sleep(Math.min(options.maxDelayMs ?? 5_000, initial * 2 ** Math.min(attempt - 1, 20)));
      last = await probe.probe();
    }
    if (server) logger.log('PostgreSQL and Redis answer: starting');
  } finally {
    probe.close();
    if (server) {
      const closing = server;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        closing.closeAllConnections();
      });
    }
  }
}
