import { expiryCutoffMs } from './ttl';

const now = 1_000_000_000;

describe('expiryCutoffMs', () => {
  it('puts the cutoff TTL + grace before now (defaults: three missed 30 s beats + 15 s)', () => {
    expect(expiryCutoffMs(now, { heartbeatTtlSeconds: 90, heartbeatGraceSeconds: 15 })).toBe(now - 105_000);
  });

  it('leaves a late beat inside the grace period alive', () => {
    const cutoff = expiryCutoffMs(now, { heartbeatTtlSeconds: 90, heartbeatGraceSeconds: 15 });
    expect(now - 100_000).toBeGreaterThanOrEqual(cutoff);
    expect(now - 105_001).toBeLessThan(cutoff);
  });

  it('is the bare TTL when there is no grace', () => {
    expect(expiryCutoffMs(now, { heartbeatTtlSeconds: 2, heartbeatGraceSeconds: 0 })).toBe(now - 2_000);
  });
});
