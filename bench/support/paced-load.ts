/**
 * An open-loop load generator for latency at a fixed rate: request i is due at start + i/rate and
 * is sent then, whether or not earlier ones have answered (keep-alive sockets from a pool), and its
 * latency counts from the moment it was due, so a stall in the server is charged to every request
 * that should have gone out during it (no coordinated omission). autocannon's `overallRate` is not
 * this: it lets each connection fire its whole per-second quota back to back at the start of every
 * second, so "200 req/s over 10 connections" is a burst of 200 closed-loop requests, and it then
 * corrects for omission with an interval of ceil(1/rate) = 1 ms. See docs/decisions/0013.
 * Requests go through a lean keep-alive client (raw-http.ts) so the generator takes little of the
 * machine's CPU from the system it measures.
 */
import { RawHttpPool } from './raw-http';
import { percentile } from './stats';

export interface PacedResult {
  sent: number;
  ok: number;
  failed: number;
  /** Achieved rate over the run, answered requests per second. */
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PacedOptions {
  /** Base URL, e.g. http://127.0.0.1:5100 */
  base: string;
  /** The path of request number i. */
  path: (i: number) => string;
  rate: number;
  seconds: number;
  /** Sockets kept open; enough that a stall of maxSockets/rate seconds does not queue in the client. */
  maxSockets?: number;
  /** GET unless given; a body is sent as JSON. */
  method?: 'GET' | 'POST';
  body?: (i: number) => unknown;
  /** Sent with every request (e.g. authorization). */
  headers?: Record<string, string>;
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const { base, rate, seconds } = options;
  const url = new URL(base);
  const extra = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const pool = new RawHttpPool(url.hostname, Number(url.port || 80), options.maxSockets ?? 64, extra);
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  let settled = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const finish = () => {
      settled += 1;
      if (settled === total) resolve();
    };
    const method = options.method ?? 'GET';
    const fire = (i: number, dueAt: number) => {
      const body = options.body ? JSON.stringify(options.body(i)) : undefined;
      pool.send({ method, path: options.path(i), body }).then(
        (status) => {
          if (status >= 200 && status < 300) latencies.push(performance.now() - dueAt);
          else failed += 1;
          finish();
        },
        () => {
          failed += 1;
          finish();
        },
      );
    };
    // A 1 ms tick sends every request that has come due; a late tick sends the overdue ones at once.
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        fire(sent, start + sent * intervalMs);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsedS = (performance.now() - start) / 1000;
  pool.close();
  latencies.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    sent,
    ok: latencies.length,
    failed,
    requestsPerSec: Math.round(latencies.length / elapsedS),
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1] ?? NaN),
  };
}
