import Redis from 'ioredis';
import {
  AgentPatterns,
  ORCHESTRATOR_RESULTS_ADDRESS,
  ORCHESTRATOR_RPC_ADDRESS,
  OrchestratorPatterns,
  TaskPatterns,
} from '@app/contracts';
import { TransportKeys } from '@app/transport';
import { expectUniformError, rawRequest } from '../hostile/raw-http';
import { call, TestSystem, waitFor } from '../orchestrator/support/system';
import { TEST_REDIS_URL } from '../support/test-env';
import { casesFor, FuzzCase, OpenApiDocument } from './support/openapi-cases';
import { Finding, judge, runCases } from './support/fuzz-runner';
import { fuzzRounds, fuzzSeeds, Rng } from './support/seed';
import { streamEntries } from './support/stream-cases';

jest.setTimeout(Number(process.env.FUZZ_TIMEOUT_MS ?? 600_000));

const AGENT = 'QA-003';

function report(findings: Finding[]): string {
  return findings
    .slice(0, 80)
    .map((f) => `${f.operation} [${f.what}] → ${f.status}: ${f.why} ${f.body.slice(0, 160)}`)
    .join('\n');
}

/**
 * Issue 12's fuzz suite: every operation of the three OpenAPI documents (fetched from the running apps, so a
 * new route is fuzzed without a new test) and hostile entries written straight into the orchestrator's and
 * an agent's streams. Seeded: the seed is printed, FUZZ_SEED replays it; FUZZ_SEEDS / FUZZ_ROUNDS make the
 * long form (`npm run fuzz`).
 */
describe('fuzz: HTTP APIs from their OpenAPI documents, and the bus', () => {
  const system = new TestSystem();
  const seeds = fuzzSeeds();
  const rounds = fuzzRounds();
  let redis: Redis;
  let apps: Array<{ name: string; baseUrl: string }>;

  beforeAll(async () => {
    await system.start({ hosts: [AGENT] });
    await system.agentsOnline([AGENT]);
    redis = new Redis(TEST_REDIS_URL);
    apps = [
      { name: 'registry', baseUrl: system.registry.baseUrl },
      { name: 'orchestrator', baseUrl: system.url },
      { name: 'agent-host', baseUrl: system.hosts[0].baseUrl },
    ];
  });

  afterAll(async () => {
    await redis?.quit();
    await system.stop();
  });

  async function allHealthy(): Promise<void> {
    for (const app of apps) expect((await call(app.baseUrl, 'GET', '/health')).status).toBe(200);
  }

  it('has oracles that can fail: a 5xx, a bare error and an anonymous 400 are findings', () => {
    const c: FuzzCase = { operation: 'POST /x', what: 't', method: 'POST', path: '/x', names: ['body', 'title'] };
    const body = { statusCode: 400, error: 'Bad Request', path: '/x', timestamp: 't', request_id: 'r' };
    expect(judge(c, { status: 500, text: '{}' })).toMatch(/server error/);
    expect(judge(c, { status: 400, text: '{"message":"Client Error"}' })).toMatch(/without/);
    expect(judge(c, { status: 400, text: JSON.stringify({ ...body, message: 'Bad Request' }) })).toMatch(
      /names nothing/,
    );
    expect(judge(c, { status: 400, text: JSON.stringify({ ...body, message: 'title must be a string' }) })).toBeNull();
  });

  it.each(seeds.map((seed) => [seed]))(
    'every operation, seed %i: zero 5xx, every 4xx names what is wrong',
    async (seed) => {
      process.stdout.write(`fuzz seed ${seed} (replay: FUZZ_SEED=${seed}), rounds ${rounds}\n`);
      const rng = new Rng(seed);
      const findings: Finding[] = [];
      let sent = 0;
      // Cases first (the seed fixes them, in order), then the three apps fuzzed side by side.
      const plans: Array<{ baseUrl: string; cases: FuzzCase[] }> = [];
      for (const app of apps) {
        const doc = (await call(app.baseUrl, 'GET', '/docs/json')).body as OpenApiDocument;
        expect(Object.keys(doc.paths).length).toBeGreaterThan(2);
        plans.push({
          baseUrl: app.baseUrl,
          cases: casesFor(doc, rng, rounds, system.orchestrator.config.httpBodyLimitBytes),
        });
        sent += plans[plans.length - 1].cases.length;
      }
      findings.push(...(await Promise.all(plans.map((p) => runCases(p.baseUrl, p.cases)))).flat());
      for (const app of apps) {
        // Bytes fetch would never send: raw non-ASCII in the path, oversized headers.
        const rawPath = await rawRequest(
          app.baseUrl,
          Buffer.concat([
            Buffer.from('GET /api/'),
            Buffer.from([0xff, 0xfe]),
            Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
          ]),
        );
        expectUniformError(rawPath.body, 400, /^path: /);
        const bigHeaders = await rawRequest(
          app.baseUrl,
          `GET /health HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(40_000)}\r\n\r\n`,
        );
        expectUniformError(bigHeaders.body, 431, /^headers: /);
      }
      process.stdout.write(`fuzz seed ${seed}: ${sent} requests, ${findings.length} findings\n`);
      if (findings.length > 0) throw new Error(`seed ${seed}: ${findings.length} findings\n${report(findings)}`);
      await allHealthy();
    },
  );

  it.each(seeds.map((seed) => [seed]))(
    'hostile stream entries, seed %i: all settled, none stuck, streams bounded',
    async (seed) => {
      const rng = new Rng(seed);
      const keys = new TransportKeys(system.transportPrefix);
      const targets = [
        { address: ORCHESTRATOR_RPC_ADDRESS, patterns: Object.values(OrchestratorPatterns) as string[] },
        { address: ORCHESTRATOR_RESULTS_ADDRESS, patterns: [TaskPatterns.Started, TaskPatterns.Result] as string[] },
        { address: AGENT, patterns: [TaskPatterns.Execute, ...(Object.values(AgentPatterns) as string[])] },
      ];
      for (const target of targets) {
        const entries = streamEntries(target.address, target.patterns, rng, fuzzRounds());
        const before = (await call(system.url, 'GET', `/api/bus/streams/${target.address}`)).body as {
          dead_letters: number;
        };
        for (const fields of entries) await redis.xadd(keys.stream(target.address), '*', ...fields);
        // Every entry is handled, answered or dead-lettered: nothing stays pending, nothing loops.
        const settled = await waitFor(
          `${target.address}: every hostile entry settled`,
          async () => {
            const stats = (await call(system.url, 'GET', `/api/bus/streams/${target.address}`)).body as {
              length: number;
              dead_letters: number;
              groups: Array<{ name: string; pending: number; lag: number | null }>;
            };
            const group = stats.groups.find((g) => g.name === (target.address === AGENT ? 'workers' : 'orchestrator'));
            return group && group.pending === 0 && (group.lag ?? 0) === 0 ? stats : undefined;
          },
          120_000,
        );
        expect(settled.dead_letters - before.dead_letters).toBeLessThanOrEqual(entries.length);
        expect(settled.length).toBeLessThanOrEqual(10_000 + entries.length);
        // Still the same a moment later: no entry is being dead-lettered and replayed in a loop.
        await new Promise((r) => setTimeout(r, 1_000));
        const later = (await call(system.url, 'GET', `/api/bus/streams/${target.address}`)).body as {
          dead_letters: number;
        };
        expect(later.dead_letters).toBe(settled.dead_letters);
      }
      await allHealthy();
      // "Replay all" of what the fuzzing left answers and terminates although the entries fail again.
      const replay = await call(
        system.url,
        'POST',
        `/api/bus/streams/${ORCHESTRATOR_RPC_ADDRESS}/dead-letters/replay`,
        {},
      );
      expect(replay.status).toBe(200);
      expect(replay.body.complete).toBe(true);
    },
  );
});
