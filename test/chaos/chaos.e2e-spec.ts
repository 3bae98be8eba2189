import { ChaosReport, runCampaign } from '../../bench/chaos/campaign';
import { formatReport } from '../../bench/chaos/chaos';
import { chaosOptions } from '../../bench/chaos/chaos-options';
import { ChaosSystem } from '../../bench/chaos/chaos-system';

// The short fault campaign: ≈300 tasks, every fault kind once, against the built apps (npm run build first), run as
// in production (auth on, every app with its own credential).
jest.setTimeout(600_000);

describe('fault campaign, short form', () => {
  const options = chaosOptions({ ...process.env, CHAOS_SHORT: '1' });
  const system = new ChaosSystem(options);
  let report: ChaosReport;

  beforeAll(async () => {
    try {
      await system.start((line) => process.stderr.write(`[chaos] ${line}\n`));
      report = await runCampaign(system, options, (line) => process.stderr.write(`[chaos] ${line}\n`));
      process.stderr.write(`${formatReport(report)}\n`);
    } finally {
      await system.stop();
    }
  });

  it('ran every fault kind once', () => {
    expect(report.faultErrors).toEqual([]);
    expect(report.faults.map((f) => f.kind).sort()).toEqual([...options.faults].sort());
  });

  it('accepted every task and completed 100 % of them', () => {
    expect(report.notAccepted).toBe(0);
    expect(report.accepted).toBe(options.tasks);
    expect(report.failureReasons).toEqual({});
    expect(report.completed).toBe(report.accepted);
  });

  it('lost nothing and made no duplicate from an idempotency key', () => {
    expect(report.lost).toBe(0);
    expect(report.duplicates).toBe(0);
  });

  it('no process exited on its own', () => {
    expect(report.unexpectedExits).toEqual([]);
  });

  it('completed every workflow run', () => {
    expect(report.workflowRunsCompleted).toBe(report.workflowRunsStarted);
  });
});
