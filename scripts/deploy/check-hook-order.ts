/**
 * Hook ordering, checked on the templates: a pod run by a Helm hook (the migration Job) is admitted before the
 * release's ordinary resources exist. Every ServiceAccount, ConfigMap and Secret such a pod names must therefore be
 * rendered by the chart as a hook of the same events with a lower weight (or come from a value, i.e. exist already).
 * The first `helm install` used to time out because the Job ran as the chart's ordinary ServiceAccount.
 */

export interface TemplateFile {
  name: string;
  text: string;
}

interface Doc {
  file: string;
  text: string;
  kind?: string;
  name?: string;
  hooks: string[];
  weight: number;
  deletePolicy: string[];
}

/** Template expressions compared without whitespace and with `$` for the root. */
const norm = (expr: string): string =>
  expr
    .replace(/\s+/g, '')
    .replace(/\(dict"root"\$/g, '(dict"root".')
    .replace(/\.root\}\}/g, '.}}'); // the workload helpers pass the chart's root as `.root`

function documents(file: TemplateFile): Doc[] {
  return file.text.split(/^---\s*$/m).map((text) => {
    const hookLine = /helm\.sh\/hook:\s*([^\n]+)/.exec(text);
    const weight = /helm\.sh\/hook-weight:\s*['"]?(-?\d+)/.exec(text);
    const name = /^metadata:\s*\n\s+name:\s*([^\n]+)/m.exec(text);
    return {
      file: file.name,
      text,
      kind: /^kind:\s*(\w+)/m.exec(text)?.[1],
      name: name ? norm(name[1]) : undefined,
      hooks: hookLine
        ? hookLine[1]
            .replace(/['"]/g, '')
            .split(',')
            .map((h) => h.trim())
        : [],
      weight: weight ? Number(weight[1]) : 0,
      deletePolicy: (/helm\.sh\/hook-delete-policy:\s*([^\n]+)/.exec(text)?.[1] ?? '')
        .replace(/['"]/g, '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    };
  });
}

/** `kind` and template expression of everything a pod spec names: its ServiceAccount, envFrom and volume sources. */
function references(podDoc: string): { kind: string; expr: string }[] {
  const refs: { kind: string; expr: string }[] = [];
  const patterns: [RegExp, string][] = [
    [/serviceAccountName:\s*(\{\{[^\n]+\}\})/g, 'ServiceAccount'],
    [/configMapRef:\s*\n\s+name:\s*(\{\{[^\n]+\}\})/g, 'ConfigMap'],
    [/secretRef:\s*\n\s+name:\s*(\{\{[^\n]+\}\})/g, 'Secret'],
    [/secretName:\s*(\{\{[^\n]+\}\})/g, 'Secret'],
  ];
  for (const [re, kind] of patterns) for (const m of podDoc.matchAll(re)) refs.push({ kind, expr: norm(m[1]) });
  // Names taken straight from values (an existing Secret) are the operator's to create beforehand.
  return refs.filter((r) => !/\{\{-?\.Values\./.test(r.expr) && !/\{\{-?\.\}\}/.test(r.expr));
}

export function hookOrderProblems(templates: TemplateFile[]): string[] {
  const docs = templates.filter((t) => !t.name.startsWith('_')).flatMap(documents);
  const problems: string[] = [];
  for (const pod of docs.filter((d) => d.hooks.length > 0 && /^(Job|Pod)$/.test(d.kind ?? ''))) {
    for (const ref of references(pod.text)) {
      const target = docs.find((d) => d.kind === ref.kind && d.name === ref.expr);
      const what = `${pod.file} (hook ${pod.hooks.join(',')}, weight ${pod.weight}) uses ${ref.kind} ${ref.expr}`;
      if (!target) {
        problems.push(`${what}, which no template renders`);
        continue;
      }
      const missing = pod.hooks.filter((h) => !target.hooks.includes(h));
      if (missing.length > 0)
        problems.push(`${what}, rendered by ${target.file} without hook ${missing.join(',')}: it does not exist yet`);
      else if (target.weight >= pod.weight)
        problems.push(`${what}, a hook of weight ${target.weight} in ${target.file}: it must be lower to exist first`);
    }
  }
  // Ordinary pods may use hook resources only when Helm keeps them after the hook phase.
  // The Deployments are defined in _helpers.tpl.
  const workloads = templates
    .flatMap(documents)
    .filter((d) => /^(Deployment|StatefulSet|DaemonSet)$/.test(d.kind ?? ''));
  for (const pod of workloads.filter((d) => d.hooks.length === 0)) {
    for (const ref of references(pod.text)) {
      const target = docs.find((d) => d.kind === ref.kind && d.name === ref.expr);
      const gone = target?.deletePolicy.filter((p) => p === 'hook-succeeded' || p === 'hook-failed') ?? [];
      if (target && target.hooks.length > 0 && gone.length > 0)
        problems.push(`${pod.file} uses ${ref.kind} ${ref.expr}, a hook deleted on ${gone.join(',')} (${target.file})`);
    }
  }
  return problems;
}

/** The original bug, which the check must report (a check that cannot fail proves nothing). */
export function hookOrderSelfTest(): string[] {
  const broken: TemplateFile[] = [
    {
      name: 'serviceaccount.yaml',
      text: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include "x.sa" . }}\n',
    },
    {
      name: 'migration-job.yaml',
      text:
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: m\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n' +
        '    helm.sh/hook-weight: "0"\nspec:\n  template:\n    spec:\n      serviceAccountName: {{ include "x.sa" . }}\n',
    },
  ];
  return hookOrderProblems(broken).length === 1 ? [] : ['the hook-order check does not report the original bug'];
}
