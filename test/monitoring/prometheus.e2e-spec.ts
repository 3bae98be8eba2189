/**
 * A real Prometheus (Debian's `prometheus` package, on loopback, a temp data dir) scrapes the built apps while
 * they do real work, and every dashboard query and every alert expression (threshold removed) must return series.
 * The apps run as processes from dist/ (npm run build) against the test database and Redis.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { stringify } from 'yaml';
import { TaskPatterns } from '@app/contracts';
import { createEnvelope, encodeEnvelope, TransportKeys } from '@app/transport';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import {
  alertOperands,
  AppName,
  dashboardQueries,
  loadAlertRules,
  loadDashboards,
  requiredApps,
  ShippedQuery,
  substituteVariables,
} from './monitoring-queries';
import { appMain, appSourceExists, Child, freePort, httpJson, ROOT, waitFor } from './processes';

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const ALERTS_FILE = join(ROOT, 'docker/prometheus/alerts.yml');
const APPS: AppName[] = ['registry', 'orchestrator', 'agent-host'];
const present = APPS.filter(appSourceExists);

const rules = loadAlertRules(ALERTS_FILE);
const shipped: ShippedQuery[] = [
  ...dashboardQueries(loadDashboards(join(ROOT, 'docker/grafana/dashboards'))).map((q) => ({
    ...q,
    expr: substituteVariables(q.expr, '20s'),
  })),
  ...rules.flatMap((r) =>
    alertOperands(r.expr).map((expr, i) => ({ source: `alerts.yml › ${r.alert} › operand ${i + 1}`, expr })),
  ),
];
const runnable = (q: ShippedQuery) => requiredApps(q.expr).every((group) => group.some((app) => present.includes(app)));
const covered = shipped.filter(runnable);
const notCovered = shipped.filter((q) => !runnable(q));
if (notCovered.length > 0) {
  // Queries of an app that is not written yet cannot return series; they are run as soon as apps/<app> exists.
  process.stderr.write(
    `monitoring: ${notCovered.length} of ${shipped.length} queries NOT executed (apps/${APPS.filter((a) => !present.includes(a)).join(', apps/')} missing):\n` +
      notCovered.map((q) => `  ${q.source}`).join('\n') +
      '\n',
  );
}

interface PromVector {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string> }[] };
}

describe('alertOperands (thresholds removed from alert expressions)', () => {
  it('splits top-level set operators and drops numeric comparisons and matching modifiers', () => {
    expect(alertOperands('sum(x) > 50 and sum(deriv(x[15m])) > 0')).toEqual(['sum(x)', 'sum(deriv(x[15m]))']);
    expect(alertOperands('sum by (role) (a) unless on (role) sum by (role) (a{status=~"online|busy"})')).toEqual([
      'sum by (role) (a)',
      'sum by (role) (a{status=~"online|busy"})',
    ]);
    expect(alertOperands('(a / b) > 0.25 and on (agent_id) c >= 4')).toEqual(['(a / b)', 'c']);
    expect(alertOperands('up{job=~"a and b"} == 0')).toEqual(['up{job=~"a and b"}']);
  });
});

describe('dashboards and alerts against the running apps (real Prometheus)', () => {
  const children: Child[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'ea-monitoring-'));
  const runId = randomBytes(3).toString('hex');
  const transportPrefix = `ea-mon-${runId}`;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  let prometheusUrl = '';
  const ports: Partial<Record<AppName, number>> = {};
  let agentHostEnv: Record<string, string> = {};

  /** Traffic that did not go as planned: reported by its own test and with every query that then lacks data. */
  const trafficProblems: string[] = [];
  const describeChildren = () =>
    [
      trafficProblems.length > 0 ? `traffic problems:\n  ${trafficProblems.join('\n  ')}` : '',
      ...children.map((c) => c.tail()),
    ].join('\n');

  function expectAccepted(what: string, res: { status: number; json: unknown }): void {
    if (res.status >= 300)
      trafficProblems.push(`${what}: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  }

  const commonEnv = (): Record<string, string> => ({
    NODE_ENV: 'test',
    AUTH_MODE: 'disabled', // this suite is about metrics; test/auth covers auth
    LOG_LEVEL: 'warn',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    REGISTRY_URL: `http://127.0.0.1:${ports.registry}`,
    REGISTRY_REDIS_PREFIX: `ea-mon-${runId}:registry:`,
    TRANSPORT_KEY_PREFIX: transportPrefix,
    HEARTBEAT_INTERVAL_SECONDS: '1',
    HEARTBEAT_TTL_SECONDS: '2',
    HEARTBEAT_GRACE_SECONDS: '0',
    LIVENESS_SWEEP_SECONDS: '1',
    SHUTDOWN_GRACE_SECONDS: '5',
    MODEL_PROVIDER: 'scripted',
  });

  async function startApp(app: AppName, env: Record<string, string>): Promise<Child> {
    const child = new Child(app, process.execPath, [appMain(app)], { ...commonEnv(), ...env });
    children.push(child);
    await waitFor(
      `${app} /health/ready`,
      async () => {
        if (!child.running) throw new Error(`${app} exited`);
        const res = await httpJson('GET', `http://127.0.0.1:${ports[app]}/health/ready`);
        return res.status === 200 ? true : undefined;
      },
      30_000,
      () => child.tail(),
    );
    return child;
  }

  async function promQuery(expr: string): Promise<PromVector> {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, {
      signal: AbortSignal.timeout(10_000),
    });
    return (await res.json()) as PromVector;
  }

  /** Registry traffic: an agent that heartbeats and one that never does (it goes offline). */
  async function registryTraffic(): Promise<void> {
    const base = `http://127.0.0.1:${ports.registry}/api/agents`;
    const agent = (id: string, role: string) => ({
      agent_id: id,
      name: `monitoring ${id}`,
      role,
      host: '127.0.0.1',
      port: 9,
      max_tasks: 1,
    });
    const beating = `MON${runId.toUpperCase()}A-001`.replace(/[^A-Z0-9-]/g, 'X');
    const silent = `MON${runId.toUpperCase()}B-002`.replace(/[^A-Z0-9-]/g, 'X');
    for (const [id, role] of [
      [beating, 'qa_engineer'],
      [silent, 'medical_expert'],
    ]) {
      expectAccepted(`register ${id}`, await httpJson('POST', `${base}/register`, agent(id, role)));
    }
    for (let i = 0; i < 3; i += 1) {
      expectAccepted(
        `heartbeat ${beating}`,
        await httpJson('POST', `${base}/${beating}/heartbeat`, { current_tasks: 0, max_tasks: 1 }),
      );
    }
    await httpJson('GET', `${base}/does-not-exist`); // a 4xx for the HTTP status panel
  }

  /**
   * Agent-host traffic. First a redelivery: a slow task, the host dies mid-task, the restarted host recovers the
   * pending entry. Then (counters start again in the new process) a completed and a failed task and a dead letter.
   */
  async function agentHostTraffic(host: Child): Promise<Child> {
    const base = `http://127.0.0.1:${ports['agent-host']}`;
    const keys = new TransportKeys(transportPrefix);
    const slow = createEnvelope({
      from_agent: 'orchestrator',
      to_agent: 'DEV-001',
      message_type: TaskPatterns.Execute,
      payload: {
        task_id: randomUUID(),
        attempt: 1,
        agent_id: 'DEV-001',
        title: 'monitoring: a slow task interrupted by a crash',
        description: 'redelivered after the agent host restarts',
        input: { scripted: { latency_ms: 3_000 } },
        deadline: new Date(Date.now() + 120_000).toISOString(),
      },
    });
    await redis.xadd(keys.stream('DEV-001'), '*', ...encodeEnvelope(slow));
    await waitFor(
      'the slow task to start on DEV-001',
      async () => {
        const res = await fetch(`${base}/metrics`);
        return /agent_active_tasks\{[^}]*agent_id="DEV-001"[^}]*\} 1/.test(await res.text()) ? true : undefined;
      },
      20_000,
      () => host.tail(),
    );
    await host.kill();
    const restarted = await startApp('agent-host', agentHostEnv);

    expectAccepted(
      'a task that completes',
      await httpJson('POST', `${base}/agents/DEV-001/task`, { title: 'monitoring: a task that completes', input: {} }),
    );
    expectAccepted(
      'a task whose model call fails',
      await httpJson('POST', `${base}/agents/QA-001/task`, {
        title: 'monitoring: a task whose model call fails',
        input: { scripted: { fail: 'monitoring test' } },
      }),
    );
    // An entry no consumer can decode: dead-lettered at once.
    await redis.xadd(keys.stream('QA-001'), '*', 'garbage', 'not an envelope');
    return restarted;
  }

  /** Orchestrator traffic: a workflow run, and a task whose deadline passes while the agent works (a re-dispatch). */
  async function orchestratorTraffic(): Promise<void> {
    const base = `http://127.0.0.1:${ports.orchestrator}/api`;
    expectAccepted(
      'start workflow feature_delivery',
      await httpJson('POST', `${base}/workflows/feature_delivery/runs`, {
        input: { feature: 'monitoring dashboards' },
      }),
    );
    expectAccepted(
      'submit a task that outlives its deadline',
      await httpJson('POST', `${base}/tasks`, {
        title: 'monitoring: a task that outlives its deadline',
        agent_id: 'DEV-001',
        timeout_seconds: 1,
        max_attempts: 2,
        input: { scripted: { latency_ms: 2_500 } },
      }),
    );
  }

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS_BIN)) {
      throw new Error(
        `${PROMETHEUS_BIN} not found: apt-get install -y prometheus (scripts/check-deploy.sh installs it)`,
      );
    }
    for (const app of present) {
      if (!existsSync(appMain(app)))
        throw new Error(`apps/${app} exists but ${appMain(app)} does not: run npm run build first`);
    }
    await redis.connect();
    for (const app of APPS) ports[app] = await freePort();
    const prometheusPort = await freePort();
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

    await startApp('registry', { REGISTRY_PORT: String(ports.registry) });
    if (present.includes('orchestrator')) {
      // Nest's built-in Redis transport uses unprefixed channels: off, so other tests' RPCs never reach this one.
      await startApp('orchestrator', {
        ORCHESTRATOR_PORT: String(ports.orchestrator),
        ORCHESTRATOR_NEST_REDIS_TRANSPORT: 'false',
      });
    }
    let host: Child | undefined;
    if (present.includes('agent-host')) {
      agentHostEnv = {
        AGENT_HOST_PORT: String(ports['agent-host']),
        AGENT_IDS: 'DEV-001,QA-001',
        AGENT_HOST_INSTANCE_ID: `monitoring-${runId}`,
        AGENT_HOST_ADVERTISE_HOST: '127.0.0.1',
      };
      host = await startApp('agent-host', agentHostEnv);
    }

    const scrape = (job: string, app: AppName) =>
      present.includes(app) ? [{ job_name: job, static_configs: [{ targets: [`127.0.0.1:${ports[app]}`] }] }] : [];
    writeFileSync(
      join(tmp, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [ALERTS_FILE],
        scrape_configs: [
          ...scrape('registry', 'registry'),
          ...scrape('orchestrator', 'orchestrator'),
          ...scrape('agent-host', 'agent-host'),
        ],
      }),
    );
    const prometheus = new Child(
      'prometheus',
      PROMETHEUS_BIN,
      [
        `--config.file=${join(tmp, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp, 'data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--log.level=warn',
      ],
      {},
    );
    children.push(prometheus);
    await waitFor(
      'Prometheus ready',
      async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined),
      30_000,
      () => prometheus.tail(),
    );

    await registryTraffic();
    if (host) await agentHostTraffic(host);
    if (present.includes('orchestrator')) await orchestratorTraffic();
    // Every present app scraped at least twice, so rate() and deriv() have two samples.
    await waitFor(
      'every app scraped',
      async () => {
        const up = await promQuery('count_over_time(up[1m])');
        const seen = (up.data?.result ?? []).map((r) => r.metric.job);
        return present.every((app) => seen.includes(app)) ? true : undefined;
      },
      30_000,
      describeChildren,
    );
  }, 180_000);

  afterAll(async () => {
    for (const child of [...children].reverse()) await child.stop();
    if (redis.status === 'ready') {
      const keys = await redis.keys(`${transportPrefix}:*`);
      const registryKeys = await redis.keys(`ea-mon-${runId}:*`);
      if (keys.length + registryKeys.length > 0) await redis.del(...keys, ...registryKeys);
    }
    redis.disconnect();
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('generated the traffic the queries rely on (registrations, tasks, a crash, a dead letter, a workflow run)', () => {
    expect(trafficProblems).toEqual([]);
  });

  it('loads every alert rule and evaluates it without error', async () => {
    const loaded = await waitFor(
      'rules evaluated',
      async () => {
        const res = (await (await fetch(`${prometheusUrl}/api/v1/rules?type=alert`)).json()) as {
          data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
        };
        const all = res.data.groups.flatMap((g) => g.rules);
        return all.length === rules.length && all.every((r) => r.health !== 'unknown') ? all : undefined;
      },
      20_000,
    );
    expect(loaded.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`)).toEqual([]);
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
  });

  it('every alert expression is valid PromQL here (with its threshold)', async () => {
    for (const rule of rules) {
      const res = await promQuery(rule.expr);
      expect({ alert: rule.alert, status: res.status, error: res.error }).toEqual({
        alert: rule.alert,
        status: 'success',
        error: undefined,
      });
    }
  });

  it.each(covered.map((q) => [q.source, q.expr]))(
    '%s returns series',
    async (_source, expr) => {
      // Counters appear in Prometheus a scrape after the traffic that creates them: wait for them, do not sleep.
      const result = await waitFor(
        `series for ${expr}`,
        async () => {
          const res = await promQuery(expr);
          if (res.status !== 'success') throw new Error(`${res.status}: ${res.error}`);
          return (res.data?.result.length ?? 0) > 0 ? res.data!.result : undefined;
        },
        30_000,
        describeChildren,
      );
      expect(result.length).toBeGreaterThan(0);
    },
    45_000,
  );
});
