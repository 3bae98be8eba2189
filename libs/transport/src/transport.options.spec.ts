import { resolveClientOptions, resolveServerOptions } from './transport.options';

describe('transport options', () => {
  it('fills defaults and normalizes string addresses', () => {
    const o = resolveServerOptions({
      addresses: ['DEV-001', { address: 'QA-001', concurrency: 3 }],
      consumerName: 'host-a',
    });
    expect(o.addresses).toEqual([
      { address: 'DEV-001', concurrency: 1 },
      { address: 'QA-001', concurrency: 3 },
    ]);
    expect(o).toMatchObject({
      group: 'workers',
      maxDeliveries: 5,
      visibilityTimeoutMs: 30_000,
      claimIntervalMs: 15_000,
      broadcast: false,
    });
  });

  it('refuses bad values with the option named', () => {
    expect(() => resolveServerOptions({ addresses: [{ address: 'DEV-001', concurrency: 0 }] })).toThrow(
      /concurrency of DEV-001/,
    );
    expect(() => resolveServerOptions({ addresses: ['A', 'A'] })).toThrow(/listed twice/);
    expect(() => resolveServerOptions({ addresses: [] })).toThrow(/at least one address/);
    expect(() => resolveServerOptions({ addresses: ['A'], maxDeliveries: 1.5 })).toThrow(/maxDeliveries/);
    expect(() => resolveClientOptions({ defaultTarget: '{x}' })).toThrow(/invalid transport address/);
  });

  it('gives further servers in one process distinct default consumer names', () => {
    const a = resolveServerOptions({ addresses: ['A'] }).consumerName;
    const b = resolveServerOptions({ addresses: ['A'] }).consumerName;
    expect(a).not.toBe(b);
  });
});
