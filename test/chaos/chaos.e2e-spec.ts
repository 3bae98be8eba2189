import { ChaosReport, runCampaign } from '../../bench/chaos/campaign';
import { formatReport } from '../../bench/chaos/chaos';
import { chaosOptions } from '../../bench/chaos/chaos-options';
import { ChaosSystem } from '../../bench/chaos/chaos-system';

// The short fault campaign: ≈300 tasks, every fault kind once, against the built apps (npm run build first).
// Gated by CHAOS_E2E=1 until capacity-aware dispatch (issue 11, part 1) lands: before it, overload during the
// faults makes tasks fail by deadline, which is exactly what this test forbids.
const enabled = process.env.CHAOS_E2E === '1';
const describeChaos = enabled ? describe : describe.skip;

jest.setTimeout(600_000);

describeChaos('fault campaign, short form (CHAOS_E2E=1)', () => {
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
