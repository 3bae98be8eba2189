/**
 * Checks the Helm chart without helm: values files against values.schema.json (ajv), every `.Values` path the
 * templates read exists in values.yaml and in the schema, every value in values.yaml is read by a template,
 * template actions are balanced, graceful-shutdown and probe settings hold, the fleet covers the catalog.
 * Prints one PASS/FAIL line per check; exits 1 when any failed.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register scripts/deploy/check-chart.ts
 */
import Ajv, { ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { AGENT_CATALOG } from '@app/agents';
import { Check, deepMerge, isPlainObject, report } from './check-kit';
import { hookOrderProblems, hookOrderSelfTest } from './check-hook-order';

const CHART = resolve(__dirname, '../../charts/expert-agents');
const TEMPLATES = join(CHART, 'templates');

type Json = unknown;
type Schema = Record<string, Json>;

const loadYaml = (file: string): Record<string, Json> =>
  parse(readFileSync(join(CHART, file), 'utf8')) as Record<string, Json>;
const values = loadYaml('values.yaml');
const production = loadYaml('values-production.yaml');
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Schema;
const templates = readdirSync(TEMPLATES).map((name) => ({ name, text: readFileSync(join(TEMPLATES, name), 'utf8') }));

/** The template actions of a file, comments removed. */
function actions(text: string): string[] {
  return [...text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '').matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)].map((m) =>
    m[1].trim(),
  );
}

/** Leaf paths of a values tree; items of arrays of objects are `name[]`, arrays of scalars and empty maps are leaves. */
function leaves(node: Json, prefix: string): string[] {
  if (Array.isArray(node)) {
    if (node.length > 0 && node.every(isPlainObject))
      return [...new Set(node.flatMap((item) => leaves(item, `${prefix}[]`)))];
    return [prefix];
  }
  if (isPlainObject(node)) {
    const keys = Object.keys(node);
    if (keys.length === 0) return [prefix];
    return keys.flatMap((key) => leaves(node[key], prefix ? `${prefix}.${key}` : key));
  }
  return [prefix];
}

/** Every `.Values...` path the templates read, with `[]` for items reached through `range $var := .Values.list`. */
function readPaths(): Set<string> {
  const reads = new Set<string>();
  const rangeVars = new Map<string, string>();
  const componentBases = new Set<string>();
  const all = templates.flatMap((t) => actions(t.text));
  for (const action of all) {
    const range = /^range\s+(\$\w+)\s*:=\s*\.Values((?:\.\w+)+)/.exec(action);
    if (range) rangeVars.set(range[1], `${range[2].slice(1)}[]`);
  }
  for (const action of all) {
    // Component values handed to the shared workload templates as `"values" <expr>`: read there as `.values.x`.
    let rest = action.replace(/"values"\s+(\.Values(?:\.\w+)+|\$\w+)/g, (_, expr: string) => {
      componentBases.add(expr.startsWith('$') ? (rangeVars.get(expr) ?? `?${expr}`) : expr.slice('.Values.'.length));
      return '';
    });
    for (const m of rest.matchAll(/\.Values((?:\.\w+)+)/g)) reads.add(m[1].slice(1));
    rest = rest.replace(/\.Values(?:\.\w+)+/g, '');
    for (const [name, base] of rangeVars) {
      for (const m of rest.matchAll(new RegExp(`\\${name}((?:\\.\\w+)+)`, 'g'))) reads.add(`${base}${m[1]}`);
    }
  }
  for (const action of all) {
    for (const m of action.matchAll(/(?<![\w$])\.values((?:\.\w+)+)/g)) {
      for (const base of componentBases) reads.add(`${base}${m[1]}`);
    }
  }
  return reads;
}

/** Whether `path` (with `[]` steps) exists in the values tree: in every item of an array. */
function existsInValues(node: Json, segments: string[]): boolean {
  if (segments.length === 0) return true;
  const [head, ...tail] = segments;
  if (!isPlainObject(node)) return false;
  if (head.endsWith('[]')) {
    const list = node[head.slice(0, -2)];
    return Array.isArray(list) && list.length > 0 && list.every((item) => existsInValues(item, tail));
  }
  return head in node && existsInValues(node[head], tail);
}

function resolveRef(node: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const name = ref.replace('#/definitions/', '');
  return resolveRef((schema.definitions as Record<string, Schema>)[name]);
}

function existsInSchema(node: Schema, segments: string[]): boolean {
  if (segments.length === 0) return true;
  const [head, ...tail] = segments;
  const here = resolveRef(node);
  const props = here.properties as Record<string, Schema> | undefined;
  const key = head.endsWith('[]') ? head.slice(0, -2) : head;
  const child = props?.[key];
  if (!child) return false;
  if (head.endsWith('[]')) {
    const items = resolveRef(child).items as Schema | undefined;
    return items !== undefined && existsInSchema(items, tail);
  }
  return existsInSchema(child, tail);
}

const checks: Check[] = [];
const merged = deepMerge(values, production);
// Helm rejects a broken schema; ajv's strict mode also rejects unknown keywords and ambiguous types.
let validate: ValidateFunction;
try {
  validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  checks.push({ name: 'chart: values.schema.json compiles in ajv strict mode', problems: [] });
} catch (error) {
  checks.push({ name: 'chart: values.schema.json compiles in ajv strict mode', problems: [String(error)] });
  validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
}

for (const [label, doc] of [
  ['values.yaml', values],
  ['values.yaml + values-production.yaml (as helm merges them)', merged],
] as const) {
  const ok = validate(doc);
  checks.push({
    name: `chart: ${label} valid against values.schema.json`,
    problems: ok
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`),
  });
}

const reads = readPaths();
const valueLeaves = leaves(values, '');
checks.push({
  name: `chart: every .Values path read by a template (${reads.size}) exists in values.yaml`,
  problems: [...reads].filter((p) => !existsInValues(values, p.split('.'))).map((p) => `missing in values.yaml: ${p}`),
});
checks.push({
  name: 'chart: every .Values path read by a template exists in values.schema.json',
  problems: [...reads].filter((p) => !existsInSchema(schema, p.split('.'))).map((p) => `missing in schema: ${p}`),
});
checks.push({
  name: `chart: every value in values.yaml (${valueLeaves.length} leaves) is read by a template`,
  problems: valueLeaves
    .filter((leaf) => ![...reads].some((p) => leaf === p || leaf.startsWith(`${p}.`)))
    .map((leaf) => `never read: ${leaf}`),
});

checks.push({
  name: 'chart: template actions balanced ({{ }}, if/range/with/define ... end)',
  problems: templates.flatMap(({ name, text }) => {
    const problems: string[] = [];
    const opens = (text.match(/\{\{/g) ?? []).length;
    const closes = (text.match(/\}\}/g) ?? []).length;
    if (opens !== closes) problems.push(`${name}: ${opens} '{{' but ${closes} '}}'`);
    let depth = 0;
    for (const action of actions(text)) {
      if (/^(if|range|with|define|block)\b/.test(action)) depth += 1;
      else if (/^end\b/.test(action)) depth -= 1;
      if (depth < 0) break;
    }
    if (depth !== 0) problems.push(`${name}: ${depth > 0 ? 'unclosed' : 'extra'} block (depth ${depth})`);
    return problems;
  }),
});

checks.push({
  name: 'chart: every ServiceAccount, ConfigMap and Secret a hook pod uses is an earlier hook of the same events; no Deployment uses a hook deleted after the hooks ran',
  problems: [...hookOrderSelfTest(), ...hookOrderProblems(templates)],
});

const workload = templates.find((t) => t.name === '_helpers.tpl')?.text ?? '';
checks.push({
  name: 'chart: liveness probe GET /health, readiness probe GET /health/ready, grace period from values',
  problems: [
    /livenessProbe:\s*\n\s*httpGet:\s*\n\s*path: \/health\n/.test(workload) ? null : 'livenessProbe is not GET /health',
    /readinessProbe:\s*\n\s*httpGet:\s*\n\s*path: \/health\/ready\n/.test(workload)
      ? null
      : 'readinessProbe is not GET /health/ready',
    /terminationGracePeriodSeconds: \{\{ \.root\.Values\.terminationGracePeriodSeconds \}\}/.test(workload)
      ? null
      : 'Deployment does not take terminationGracePeriodSeconds from values',
    /fail \(printf "terminationGracePeriodSeconds/.test(workload) ? null : 'no render-time guard on the grace period',
  ].filter((p): p is string => p !== null),
});

for (const [label, doc] of [
  ['values.yaml', values],
  ['production', merged],
] as const) {
  const grace = Number(doc.terminationGracePeriodSeconds);
  const drain = Number((doc.config as Record<string, Json>).shutdownGraceSeconds);
  checks.push({
    name: `chart (${label}): terminationGracePeriodSeconds ${grace} > SHUTDOWN_GRACE_SECONDS ${drain}, drain below k8s default 30 s`,
    problems: [
      grace > drain ? null : 'terminationGracePeriodSeconds must exceed config.shutdownGraceSeconds',
      drain < 30 ? null : 'config.shutdownGraceSeconds must stay below 30 s',
    ].filter((p): p is string => p !== null),
  });

  const hosts = doc.agentHosts as { name: string; agentIds: string[] }[];
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const host of hosts) {
    for (const id of host.agentIds) {
      if (seen.has(id)) problems.push(`${id} in groups ${seen.get(id)} and ${host.name}`);
      seen.set(id, host.name);
    }
  }
  const catalog = AGENT_CATALOG.map((a) => a.agent_id);
  problems.push(...[...seen.keys()].filter((id) => !catalog.includes(id)).map((id) => `${id} is not in the catalog`));
  problems.push(...catalog.filter((id) => !seen.has(id)).map((id) => `${id} runs in no group`));
  const names = hosts.map((h) => h.name);
  if (new Set(names).size !== names.length) problems.push(`duplicate group names: ${names.join(', ')}`);
  checks.push({
    name: `chart (${label}): agentHosts run each of the ${catalog.length} catalog agents exactly once`,
    problems,
  });
}

process.exitCode = report(checks);
