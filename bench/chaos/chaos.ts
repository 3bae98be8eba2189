/**
 * The fault campaign (issue 11): private PostgreSQL and Redis, the built apps as child processes (2 registries,
 * 2 orchestrators, 3 agent hosts — one running every agent, two running the same group), tasks at a rate across the
 * roles plus workflow runs, and a fault schedule (SIGKILL of a group host, an orchestrator, a registry; a Redis
 * restart; a PostgreSQL outage; SIGKILL of the host running every agent), each restarted after. Then it waits for
 * everything to settle and prints what happened. Run: npm run chaos (CHAOS_SHORT=1 for the CI form; every setting in
 * the README). Figures in bench/results/chaos.json. CHAOS_ASSERT=1 exits 1 unless everything completed, nothing was
 * lost or duplicated and no process exited on its own.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosReport, runCampaign } from './campaign';
import { chaosOptions } from './chaos-options';
import { ChaosSystem } from './chaos-system';

export function isClean(r: ChaosReport): boolean {
  return (
    r.completed === r.accepted &&
    r.notAccepted === 0 &&
    r.lost === 0 &&
    r.duplicates === 0 &&
    r.unexpectedExits.length === 0 &&
    r.faultErrors.length === 0 &&
    r.unexplainedReexecutions === 0
  );
}

export function formatReport(r: ChaosReport): string {
  const rows: Array<[string, string | number]> = [
    ['tasks accepted', r.accepted],
    ['tasks not accepted', r.notAccepted],
    ['completed', `${r.completed} (${r.accepted ? ((100 * r.completed) / r.accepted).toFixed(1) : '0'} %)`],
    ['failed', r.failed],
    ['canceled', r.canceled],
    ['unfinished after settling', r.unfinished],
    ['lost', r.lost],
    ['duplicate tasks (idempotency keys)', r.duplicates],
    ['model calls', r.modelCalls],
    ['executions', r.executions],
    ['executions per completed task', r.executionsPerCompletedTask],
    ['re-executions after a host was killed', `${r.reexecutionsAfterHostDeath} (cut after ≤ ${r.longestCutMs} ms)`],
    ['executions per completed task without those', r.executionsPerCompletedTaskNoDeaths],
    [
      're-executions no host death explains',
      `${r.unexplainedReexecutions}${r.unexplainedTasks.length ? ` (${r.unexplainedTasks.slice(0, 3).join(', ')})` : ''}`,
    ],
    ['copies of a dispatched entry not run (0082)', r.copiesSkipped],
    ['workflow runs completed', `${r.workflowRunsCompleted} / ${r.workflowRunsStarted}`],
    ['processes that exited on their own', r.unexpectedExits.length],
    ['faults (s after start)', r.faults.map((f) => `${f.kind}@${f.at_s}`).join(', ')],
    ['duration', `${r.seconds} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const [reason, n] of Object.entries(r.failureReasons)) lines.push(`  failed ×${n}: ${reason}`);
  for (const exit of r.unexpectedExits) lines.push(`  ${exit}`);
  for (const error of r.faultErrors) lines.push(`  fault not carried out: ${error}`);
  for (const e of r.unexplainedEvidence ?? []) {
    lines.push(`  ran twice, no host death between: task ${e.task_id} (ms since start)`);
    for (const c of e.calls) lines.push(`    call  ${c}`);
    for (const ev of e.events) lines.push(`    event ${ev}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = chaosOptions();
  const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
  const system = new ChaosSystem(options);
  let report: ChaosReport;
  try {
    await system.start(log);
    report = await runCampaign(system, options, log);
  } finally {
    await system.stop();
  }
  process.stdout.write(`${formatReport(report)}\n`);
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chaos.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (process.env.CHAOS_ASSERT === '1' && !isClean(report)) process.exit(1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
