/**
 * Checks the deployment files that are not Helm templates: every YAML file parses strictly (no duplicate keys),
 * the dashboards are well-formed Grafana JSON, the chart's copies of the alert rules and dashboards match
 * docker/, docker-compose.yml, prometheus.yml and the Dockerfile agree with each other and with the catalog.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register scripts/deploy/check-files.ts
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { AGENT_CATALOG } from '@app/agents';
import { Check, isPlainObject, report } from './check-kit';
import { dashboardQueries, loadDashboards } from '../../test/monitoring/monitoring-queries';
import { chartJsonText, composeRulesText } from '../redis-acl';

const ROOT = resolve(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

const checks: Check[] = [];

// Helm templates are not YAML until rendered; everything else must parse.
const yamlFiles = [
  'docker-compose.yml',
  ...filesUnder('docker', /\.ya?ml$/),
  ...filesUnder('charts/expert-agents', /\.ya?ml$/).filter((f) => !f.includes('/templates/')),
];
checks.push({
  name: `yaml: ${yamlFiles.length} YAML files parse strictly (no duplicate keys, no syntax errors)`,
  problems: yamlFiles.flatMap((file) =>
    parseAllDocuments(read(file), { uniqueKeys: true, strict: true, prettyErrors: true }).flatMap((doc) =>
      [...doc.errors, ...doc.warnings].map((e) => `${file}: ${e.message}`),
    ),
  ),
});

const dashboards = loadDashboards(join(ROOT, 'docker/grafana/dashboards'));
checks.push({
  name: `grafana: ${dashboards.length} dashboards are well-formed (uid, unique panel ids, every panel queries Prometheus)`,
  problems: dashboards.flatMap(({ file, json }) => {
    const problems: string[] = [];
    if (typeof json.uid !== 'string' || typeof json.title !== 'string')
      problems.push(`${file}: uid and title required`);
    const panels = (json.panels as Record<string, unknown>[]) ?? [];
    const ids = panels.map((p) => p.id);
    if (new Set(ids).size !== ids.length) problems.push(`${file}: duplicate panel ids`);
    const variables = ((json.templating as { list: { name: string }[] }).list ?? []).map((v) => v.name);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      const targets = (panel.targets as { expr?: string; datasource?: { uid?: string } }[]) ?? [];
      if (targets.length === 0) problems.push(`${file}: panel "${String(panel.title)}" has no query`);
      if (typeof panel.description !== 'string' || panel.description === '')
        problems.push(`${file}: panel "${String(panel.title)}" has no description`);
      for (const t of targets) {
        if (!t.expr) problems.push(`${file}: panel "${String(panel.title)}" has a target without expr`);
        if (t.datasource?.uid !== '${datasource}')
          problems.push(`${file}: panel "${String(panel.title)}" does not use the $datasource variable`);
        for (const m of (t.expr ?? '').matchAll(/\$(\w+)/g)) {
          if (!m[1].startsWith('__') && !variables.includes(m[1]))
            problems.push(`${file}: "${String(panel.title)}" uses undefined $${m[1]}`);
        }
      }
    }
    return problems;
  }),
});
checks.push({
  name: 'grafana: the seed p95 mistake is gone (histogram_quantile only over rate(..._bucket))',
  problems: dashboardQueries(dashboards)
    .filter(
      (q) =>
        /histogram_quantile/.test(q.expr) &&
        !/histogram_quantile\(0\.\d+, sum by \([^)]*\ble\b[^)]*\) \(rate\(\w+_bucket/.test(q.expr),
    )
    .map((q) => `${q.source}: ${q.expr}`),
});

const provider = parse(read('docker/grafana/provisioning/dashboards/expert-agents.yml')) as {
  providers: { options: { path: string } }[];
};
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Record<string, unknown>> };
const grafanaVolumes = (compose.services.grafana.volumes as string[]) ?? [];
checks.push({
  name: 'grafana: provisioning points at the mounted dashboards folder',
  problems: grafanaVolumes.some((v) =>
    v.startsWith('./docker/grafana/dashboards:' + provider.providers[0].options.path),
  )
    ? []
    : [`no volume mounts docker/grafana/dashboards at ${provider.providers[0].options.path}`],
});

const copies: [string, string][] = [
  ['docker/prometheus/alerts.yml', 'charts/expert-agents/files/alerts.yml'],
  ...filesUnder('docker/grafana/dashboards', /\.json$/).map((f): [string, string] => [
    f,
    `charts/expert-agents/files/dashboards/${relative('docker/grafana/dashboards', f)}`,
  ]),
];
const chartDashboards = filesUnder('charts/expert-agents/files/dashboards', /\.json$/);
checks.push({
  name: 'chart: files/alerts.yml and files/dashboards/ are identical copies of docker/',
  problems: [
    ...copies.filter(([, b]) => !chartDashboards.includes(b) && b.endsWith('.json')).map(([, b]) => `missing ${b}`),
    ...copies
      .filter(([a, b]) => {
        try {
          return read(a) !== read(b);
        } catch {
          return true;
        }
      })
      .map(([a, b]) => `${b} differs from ${a} (cp ${a} ${b})`),
    ...chartDashboards
      .filter((b) => !copies.some(([, c]) => c === b))
      .map((b) => `${b} has no source in docker/grafana/dashboards`),
  ],
});

// docker-compose.yml: Redis durability, the fleet, and Prometheus scraping every app where it listens.
const services = compose.services;
const redisCommand = ((services.redis?.command as string[]) ?? []).join(' ');
const agentServices = Object.entries(services).filter(
  ([, s]) => (s.command as string[] | undefined)?.[0] === 'agent-host',
);
const env = (s: Record<string, unknown>): Record<string, string> => (s.environment as Record<string, string>) ?? {};
const composeIds = agentServices.flatMap(([, s]) => env(s).AGENT_IDS.split(','));
const catalog = AGENT_CATALOG.map((a) => a.agent_id);
checks.push({
  name: `compose: Redis AOF on (everysec), ${agentServices.length} agent-host groups run each of the ${catalog.length} catalog agents once`,
  problems: [
    /--appendonly yes/.test(redisCommand) && /--appendfsync everysec/.test(redisCommand)
      ? null
      : `redis command lacks AOF: ${redisCommand}`,
    ...catalog
      .filter((id) => composeIds.filter((c) => c === id).length !== 1)
      .map((id) => `${id} runs ${composeIds.filter((c) => c === id).length} times`),
    ...composeIds.filter((id) => !catalog.includes(id)).map((id) => `${id} is not in the catalog`),
    ...['postgres', 'redis', 'migrate', 'registry', 'orchestrator', 'prometheus', 'grafana']
      .filter((s) => !services[s])
      .map((s) => `no service ${s}`),
  ].filter((p): p is string => p !== null),
});

// Start and stop order, least privilege and no default admin password (merge keys resolved, as compose does).
const merged = (parse(read('docker-compose.yml'), { merge: true }) as typeof compose).services;
const dependsOn = (name: string): string[] => Object.keys((merged[name]?.depends_on as object | undefined) ?? {});
const mergedEnv = (name: string): Record<string, string> => (merged[name]?.environment as Record<string, string>) ?? {};
checks.push({
  name: 'compose: apps depend on postgres and redis, hosts on the registry; one Redis user each; no admin/admin',
  problems: [
    ...['registry', 'orchestrator', ...agentServices.map(([n]) => n)].flatMap((n) => [
      ...['postgres', 'redis']
        .filter((d) => !dependsOn(n).includes(d))
        .map((d) => `${n} does not depend on ${d} (it would outlive it on stop)`),
      mergedEnv(n).REDIS_USERNAME ? null : `${n} has no REDIS_USERNAME (its own Redis ACL user)`,
    ]),
    ...agentServices
      .filter(([n]) => !dependsOn(n).includes('registry'))
      .map(([n]) => `${n} does not depend on registry`),
    ...['registry', 'orchestrator']
      .filter((n) => 'MODEL_API_KEY' in mergedEnv(n))
      .map((n) => `${n} gets MODEL_API_KEY (only agent hosts need it)`),
    /admin/.test(String(mergedEnv('grafana').GF_SECURITY_ADMIN_PASSWORD ?? '')) ||
    (!mergedEnv('grafana').GF_SECURITY_ADMIN_PASSWORD && !mergedEnv('grafana').GF_SECURITY_ADMIN_PASSWORD__FILE)
      ? 'grafana falls back to admin/admin'
      : null,
  ].filter((p): p is string => p !== null),
});

const prometheus = parse(read('docker/prometheus/prometheus.yml')) as {
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
};
const targets = new Map(prometheus.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((c) => c.targets)]));
const expected: [string, string][] = [
  ['registry', `registry:${env(services.registry).REGISTRY_PORT}`],
  ['orchestrator', `orchestrator:${env(services.orchestrator).ORCHESTRATOR_PORT}`],
  ...agentServices.map(([name, s]): [string, string] => ['agent-host', `${name}:${env(s).AGENT_HOST_PORT}`]),
];
checks.push({
  name: `prometheus: scrapes every app of docker-compose.yml on its port (${expected.length} targets)`,
  problems: expected
    .filter(([job, t]) => !(targets.get(job) ?? []).includes(t))
    .map(([job, t]) => `job ${job} lacks target ${t}`),
});

const dockerfile = read('docker/Dockerfile');
checks.push({
  name: 'dockerfile: multi-stage, non-root, NODE_ENV=production, HEALTHCHECK, app chosen by the command, no syntax line, no TypeScript/ts-node',
  problems: [
    (dockerfile.match(/^FROM /gm) ?? []).length >= 2 ? null : 'not multi-stage',
    /^USER (?!root\b)\S+/m.test(dockerfile) ? null : 'no non-root USER',
    /^ENV NODE_ENV=production/m.test(dockerfile) ? null : 'NODE_ENV=production not set',
    /^HEALTHCHECK /m.test(dockerfile) ? null : 'no HEALTHCHECK',
    /^ENTRYPOINT /m.test(dockerfile) ? null : 'no ENTRYPOINT',
    // A `# syntax=` line makes BuildKit fetch a frontend image: air-gapped and mirrored builds fail.
    /^#\s*syntax=/m.test(dockerfile)
      ? 'remove the "# syntax=" line (the built-in frontend supports cache mounts)'
      : null,
    ...['typescript', 'ts-node']
      .filter((m) => !new RegExp(`rm -rf[^\n]*node_modules/${m}\\b`).test(dockerfile))
      .map((m) => `the runtime image keeps ${m} (remove it after npm prune)`),
    ...['registry', 'orchestrator', 'agent-host', 'migrate']
      .filter((c) => !read('docker/entrypoint.sh').includes(c))
      .map((c) => `entrypoint does not know "${c}"`),
  ].filter((p): p is string => p !== null),
});

// The Redis ACL rules have one source (libs/transport/src/redis-acl.ts); the committed copies must match it.
checks.push({
  name: 'redis acl: chart files/redis-acl.json and docker/redis/users.acl.rules match libs/transport/src/redis-acl.ts',
  problems: [
    // Compared as data: Prettier formats the committed copy.
    JSON.stringify(JSON.parse(read('charts/expert-agents/files/redis-acl.json'))) ===
    JSON.stringify(JSON.parse(chartJsonText()))
      ? null
      : 'charts/expert-agents/files/redis-acl.json is stale: npm run redis-acl -- chart-json > charts/expert-agents/files/redis-acl.json',
    read('docker/redis/users.acl.rules') === composeRulesText()
      ? null
      : 'docker/redis/users.acl.rules is stale: npm run redis-acl -- compose-rules > docker/redis/users.acl.rules',
  ].filter((p): p is string => p !== null),
});

const chart = parse(read('charts/expert-agents/Chart.yaml')) as Record<string, unknown>;
checks.push({
  name: 'chart: Chart.yaml is a v2 application chart with a SemVer version',
  problems: [
    chart.apiVersion === 'v2' ? null : 'apiVersion must be v2',
    typeof chart.version === 'string' && /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(chart.version)
      ? null
      : 'version is not SemVer',
    isPlainObject(chart) && chart.name === 'expert-agents' ? null : 'name must be expert-agents (the folder name)',
  ].filter((p): p is string => p !== null),
});

process.exitCode = report(checks);
