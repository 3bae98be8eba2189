import { assertValidAddress, compareStreamIds, nextStreamId, TransportKeys } from './keys';

describe('TransportKeys', () => {
  const keys = new TransportKeys('ea');

  it('puts stream, dead-letter stream of one address in one hash slot via the {address} tag', () => {
    expect(keys.stream('DEV-001')).toBe('ea:{DEV-001}:stream');
    expect(keys.deadLetter('DEV-001')).toBe('ea:{DEV-001}:dlq');
    expect(keys.reply('client-1')).toBe('ea:{client-1}:reply');
  });

  it('refuses addresses that would break the hash tag', () => {
    expect(() => assertValidAddress('a{b}')).toThrow(/invalid transport address/);
    expect(() => assertValidAddress('')).toThrow(/invalid transport address/);
    expect(() => new TransportKeys('bad prefix')).toThrow(/invalid transport key prefix/);
  });
});

describe('stream ids', () => {
  it('nextStreamId is the successor in the same millisecond', () => {
    expect(nextStreamId('1700000000000-0')).toBe('1700000000000-1');
    expect(nextStreamId('5-18446744073709551614')).toBe('5-18446744073709551615');
  });

  it('compares numerically, not as strings', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('10-10', '10-10')).toBe(0);
    expect(compareStreamIds('11-0', '10-99')).toBe(1);
  });
});
