/**
 * The PromQL the monitoring ships: every dashboard target and every alert expression, in the form the
 * Prometheus test executes them (dashboard variables substituted, alert thresholds removed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface Dashboard {
  file: string;
  json: Record<string, unknown>;
}

export interface ShippedQuery {
  /** Where it comes from: `agent_metrics.json › Task duration p95 › A` or `alerts.yml › AgentOffline`. */
  source: string;
  expr: string;
}

export type AppName = 'registry' | 'orchestrator' | 'agent-host';

export function loadDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown> }));
}

interface Panel {
  title: string;
  type: string;
  targets?: { refId: string; expr: string }[];
}

export function dashboardQueries(dashboards: Dashboard[]): ShippedQuery[] {
  return dashboards.flatMap(({ file, json }) =>
    ((json.panels as Panel[]) ?? [])
      .filter((p) => p.type !== 'row')
      .flatMap((p) => (p.targets ?? []).map((t) => ({ source: `${file} › ${p.title} › ${t.refId}`, expr: t.expr }))),
  );
}

/** Grafana variables as Prometheus sees them when "All" is selected; $__rate_interval as for a short scrape interval. */
export function substituteVariables(expr: string, rateInterval: string): string {
  return expr.replace(/\$__rate_interval/g, rateInterval).replace(/\$(agent_id|workflow|role)\b/g, '.*');
}

export interface AlertRule {
  alert: string;
  expr: string;
}

export function loadAlertRules(file: string): AlertRule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules).filter((r) => typeof r.alert === 'string');
}

/**
 * The parts of an alert expression that must return series for the alert to be able to fire: the operands of
 * its top-level `and`/`or`/`unless`, each without a trailing comparison against a number (the threshold).
 * `sum(x) > 50 and sum(deriv(x[15m])) > 0`  →  [`sum(x)`, `sum(deriv(x[15m]))`]
 */
export function alertOperands(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  const text = expr.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (depth === 0 && c === ' ') {
      const op = /^ (and|or|unless) /.exec(text.slice(i));
      if (op) {
        parts.push(text.slice(start, i));
        i += op[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) =>
    part
      .trim()
      // vector matching modifiers belong to the operator, not to the right operand
      .replace(/^(on|ignoring)\s*\([^)]*\)\s*(group_(left|right)\s*(\([^)]*\))?\s*)?/, '')
      .replace(/\s*(>=|<=|==|!=|>|<)\s*(bool\s+)?-?[0-9.]+(e[+-]?\d+)?$/, '')
      .trim(),
  );
}

const PREFIX_APPS: [RegExp, AppName[]][] = [
  [/^registry_/, ['registry']],
  [/^orchestrator_/, ['orchestrator']],
  [/^agent_/, ['agent-host']],
  // The Redis Streams transport runs in the orchestrator and the agent hosts.
  [/^transport_/, ['orchestrator', 'agent-host']],
];

/** Apps that must run for a query to have data: every group needs one of its apps running. */
export function requiredApps(expr: string): AppName[][] {
  const names = new Set(
    [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\s*(?=\{|\[|\)|$)/g)]
      .map((m) => m[1])
      .filter((n) => /_/.test(n) && !/^(by|without|on|ignoring)$/.test(n)),
  );
  const groups: AppName[][] = [];
  // Series filtered to one app's own label values.
  for (const m of expr.matchAll(/\b(?:service|address)=~?"(registry|orchestrator|agent-host)/g))
    groups.push([m[1] as AppName]);
  for (const name of names) {
    const match = PREFIX_APPS.find(([re]) => re.test(name));
    if (match) groups.push(match[1]);
  }
  return groups;
}
