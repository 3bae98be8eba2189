/**
 * Checks a rendered chart (the YAML stream `helm template` prints) workload by workload: assembles each container's
 * environment the way the kubelet does (ConfigMap and Secret `envFrom`, then `env`, `secretKeyRef` into a Secret made
 * outside the chart replaced by a sample value) and runs the apps' own `loadConfig` on it, then checks least privilege:
 * only agent hosts get the model key and an AGENT_HOST_API_KEY, each host's key file entry is bound to exactly its
 * group's agent ids, each workload has its own Secret, ServiceAccount and Redis user.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register scripts/deploy/check-rendered.ts out/*.yaml
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_PROCESSES, loadConfig, loadDatabaseUrl } from '@app/config';
import { Check, report } from './check-kit';

type Doc = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string> | null;
  spec?: Record<string, unknown>;
};
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}

/** What a Secret made outside the chart (`secrets.existingSecret`) would hold. */
const SAMPLE_EXTERNAL: Record<string, string> = {
  DATABASE_URL: 'postgres://app:x@db.internal:5432/expert_agents',
  REDIS_URL: 'rediss://redis.internal:6380',
  MODEL_API_KEY: 'sample-model-key',
};

function podSpec(doc: Doc): { serviceAccountName?: string; containers: Container[] } | undefined {
  const template = (doc.spec?.template as { spec?: { serviceAccountName?: string; containers: Container[] } })?.spec;
  return template;
}

export function renderedProblems(file: string): { name: string; problems: string[] }[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null && typeof d === 'object');
  const byName = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  const secretData = (name: string): Record<string, string> | undefined => {
    const s = byName('Secret', name);
    if (!s) return undefined;
    return Object.fromEntries(
      Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  };
  const checks: { name: string; problems: string[] }[] = [];
  const workloads = docs.filter((d) => ['Deployment', 'Job'].includes(d.kind));
  const secretsUsed = new Map<string, string>();
  const accountsUsed = new Map<string, string>();
  const redisUsers = new Map<string, string>();
  type KeyFile = { keys: { name: string; key: string; scopes?: string[]; agent_ids?: string[] }[] };
  let keyFile: KeyFile | undefined;
  const auth = docs.find((d) => d.kind === 'Secret' && d.metadata.name.endsWith('-auth-keys'));
  if (auth?.data) keyFile = JSON.parse(Buffer.from(auth.data['auth-keys.json'], 'base64').toString('utf8')) as KeyFile;

  for (const w of workloads) {
    const problems: string[] = [];
    const spec = podSpec(w);
    const component = w.metadata.labels?.['app.kubernetes.io/component'] ?? '?';
    const c = spec?.containers[0] ?? {};
    const env: Record<string, string> = {};
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef) Object.assign(env, byName('ConfigMap', from.configMapRef.name)?.data ?? {});
      if (from.secretRef) {
        const data = secretData(from.secretRef.name);
        if (!data) problems.push(`envFrom Secret ${from.secretRef.name} is not rendered`);
        Object.assign(env, data ?? {});
        const other = secretsUsed.get(from.secretRef.name);
        if (other && other !== w.metadata.name) problems.push(`shares Secret ${from.secretRef.name} with ${other}`);
        secretsUsed.set(from.secretRef.name, w.metadata.name);
      }
    }
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (e.value !== undefined) env[e.name] = e.value;
      else if (ref) env[e.name] = secretData(ref.name)?.[ref.key] ?? SAMPLE_EXTERNAL[ref.key] ?? '';
    }
    const account = spec?.serviceAccountName ?? 'default';
    const sharing = accountsUsed.get(account);
    if (sharing && account !== 'default') problems.push(`shares ServiceAccount ${account} with ${sharing}`);
    accountsUsed.set(account, w.metadata.name);
    // The mounted key file, as the pod would see it (its contents are checked below too).
    if (env.AUTH_KEYS_FILE && auth?.data) {
      const path = join(mkdtempSync(join(tmpdir(), 'ea-rendered-')), 'auth-keys.json');
      writeFileSync(path, Buffer.from(auth.data['auth-keys.json'], 'base64'), { mode: 0o600 });
      env.AUTH_KEYS_FILE = path;
    }
    try {
      // Each workload validates only its own variables, as its process does at start-up.
      if (component === 'migrate') loadDatabaseUrl(env);
      else loadConfig(env, CONFIG_PROCESSES.find((app) => app === component));
    } catch (error) {
      problems.push(`loadConfig refuses its environment: ${(error as Error).message}`);
    }
    const host = component === 'agent-host';
    if (!host && component !== 'migrate' && 'MODEL_API_KEY' in env) problems.push('gets MODEL_API_KEY');
    if (!host && 'AGENT_HOST_API_KEY' in env) problems.push('gets an agent-host key');
    if (component === 'migrate' && ('MODEL_API_KEY' in env || 'REDIS_URL' in env))
      problems.push('the migration Job gets more than DATABASE_URL');
    if (env.REDIS_USERNAME) {
      const other = redisUsers.get(env.REDIS_USERNAME);
      if (other) problems.push(`shares Redis user ${env.REDIS_USERNAME} with ${other}`);
      redisUsers.set(env.REDIS_USERNAME, w.metadata.name);
    }
    if (host) {
      const ids = (env.AGENT_IDS ?? '').split(',');
      const entry = keyFile?.keys.find((k) => k.key === env.AGENT_HOST_API_KEY);
      if (!env.AGENT_HOST_API_KEY) problems.push('no AGENT_HOST_API_KEY');
      else if (!entry) problems.push('its AGENT_HOST_API_KEY is not in the registry/orchestrator key file');
      else if (JSON.stringify(entry.agent_ids) !== JSON.stringify(ids))
        problems.push(`its key is bound to ${entry.agent_ids?.join(',')}, not to its AGENT_IDS ${ids.join(',')}`);
    }
    checks.push({ name: `${basename(file)}: ${w.kind} ${w.metadata.name}`, problems });
  }
  const operator = keyFile?.keys.find((k) => k.name === 'operator');
  checks.push({
    name: `${basename(file)}: key file has an operator key with scope * and unique keys`,
    problems: [
      operator?.key && JSON.stringify(operator.scopes) === '["*"]' ? null : 'no operator key',
      keyFile && new Set(keyFile.keys.map((k) => k.key)).size === keyFile.keys.length ? null : 'duplicate keys',
    ].filter((p): p is string => p !== null),
  });
  return checks;
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: check-rendered.ts <rendered.yaml>...\n');
    process.exit(2);
  }
  const checks: Check[] = files.flatMap(renderedProblems);
  process.exitCode = report(checks);
}
