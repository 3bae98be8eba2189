import { staleLeases } from './lease-reconciler.service';

describe('staleLeases (reconciling slot leases with the attempts in flight)', () => {
  it('drops a lease only when no attempt in flight backed it in two rounds in a row', () => {
    const held = ['t1:1', 't2:1', 't3:2'];
    const first = staleLeases(held, new Set(['t1:1']), new Set());
    expect(first.drop).toEqual([]);
    expect(first.suspects).toEqual(new Set(['t2:1', 't3:2']));
    // t2 got its attempt row meanwhile (it was leased just before being written); t3 is still unbacked.
    const second = staleLeases(held, new Set(['t1:1', 't2:1']), first.suspects);
    expect(second.drop).toEqual(['t3:2']);
  });

  it('keeps the lease of a current attempt even after an older attempt of the same task', () => {
    const out = staleLeases(['t1:2'], new Set(['t1:2']), new Set(['t1:1', 't1:2']));
    expect(out.drop).toEqual([]);
    expect(out.suspects.size).toBe(0);
  });
});
