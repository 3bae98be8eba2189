import { exceedsJsonDepth } from './json-depth';

describe('exceedsJsonDepth', () => {
  it('counts object and array nesting', () => {
    expect(exceedsJsonDepth('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[]}]}', 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[[[[[[' }), 1)).toBe(false);
    expect(exceedsJsonDepth(JSON.stringify({ a: 'x\\"[[[[[[' }), 1)).toBe(false);
  });

  it('scans a Buffer the same as a string', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(exceedsJsonDepth(Buffer.from(deep), 64)).toBe(true);
    expect(exceedsJsonDepth(deep, 5000)).toBe(false);
  });

  it('does not overflow on 1,000,000 levels', () => {
    expect(exceedsJsonDepth('['.repeat(1_000_000), 64)).toBe(true);
  });
});
