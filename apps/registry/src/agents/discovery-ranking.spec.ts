import fc from 'fast-check';
import { DiscoveryCandidate, loadPercentage, rankByCapability, rankByLoad } from './discovery-ranking';

const agent = (id: string, current: number, max: number, proficiency?: number): DiscoveryCandidate => ({
  agent_id: id,
  name: id,
  role: 'backend_dev',
  current_tasks: current,
  max_tasks: max,
  proficiency_level: proficiency,
});

describe('rankByLoad', () => {
  it('keeps only agents with free capacity, least busy first', () => {
    const ranked = rankByLoad([agent('A-001', 2, 3), agent('B-001', 3, 3), agent('C-001', 0, 3), agent('D-001', 1, 5)]);
    expect(ranked.map((a) => a.agent_id)).toEqual(['C-001', 'D-001', 'A-001']);
    expect(ranked[1]).toMatchObject({ current_tasks: 1, max_tasks: 5, load_percentage: 20 });
  });

  it('breaks a tie on current tasks by load percentage, then by id', () => {
    const ranked = rankByLoad([agent('Z-001', 1, 2), agent('Y-001', 1, 4), agent('X-001', 1, 4)]);
    expect(ranked.map((a) => a.agent_id)).toEqual(['X-001', 'Y-001', 'Z-001']);
  });

  it('excludes agents whose current_tasks is not below max_load', () => {
    const ranked = rankByLoad([agent('A-001', 0, 10), agent('B-001', 2, 10), agent('C-001', 3, 10)], 3);
    expect(ranked.map((a) => a.agent_id)).toEqual(['A-001', 'B-001']);
  });

  it('never returns a full agent and is always sorted (property)', () => {
    const arb = fc.array(
      fc.record({ id: fc.integer({ min: 100, max: 999 }), current: fc.nat(12), max: fc.integer({ min: 1, max: 10 }) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), (rows, maxLoad) => {
        const ranked = rankByLoad(
          rows.map((r) => agent(`A-${r.id}`, r.current, r.max)),
          maxLoad,
        );
        for (const a of ranked) {
          expect(a.current_tasks).toBeLessThan(a.max_tasks);
          if (maxLoad !== undefined) expect(a.current_tasks).toBeLessThan(maxLoad);
        }
        for (let i = 1; i < ranked.length; i++)
          expect(ranked[i - 1].current_tasks).toBeLessThanOrEqual(ranked[i].current_tasks);
      }),
    );
  });
});

describe('rankByCapability', () => {
  it('ranks by free slots, then proficiency', () => {
    const ranked = rankByCapability([
      agent('A-001', 1, 3, 9),
      agent('B-001', 0, 3, 5),
      agent('C-001', 0, 3, 7),
      agent('D-001', 3, 3, 10),
    ]);
    expect(ranked.map((a) => a.agent_id)).toEqual(['C-001', 'B-001', 'A-001']);
    expect(ranked[0].proficiency_level).toBe(7);
  });
});

describe('loadPercentage', () => {
  it('rounds to two decimals', () => {
    expect(loadPercentage(1, 3)).toBe(33.33);
    expect(loadPercentage(0, 3)).toBe(0);
  });
});
