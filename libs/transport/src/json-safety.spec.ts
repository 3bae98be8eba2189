import { exceedsJsonDepth, parseUntrustedJson } from './json-safety';

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

describe('parseUntrustedJson', () => {
  it('parses ordinary JSON, constructor as a plain key included', () => {
    expect(parseUntrustedJson('{"a":[1,{"constructor":"Toyota"}]}', 8)).toEqual({
      ok: true,
      value: { a: [1, { constructor: 'Toyota' }] },
    });
  });

  it('refuses __proto__ and constructor.prototype keys, escaped spellings too', () => {
    expect(parseUntrustedJson('{"a":{"__proto__":{}}}', 8)).toMatchObject({
      ok: false,
      error: expect.stringContaining('a.__proto__'),
    });
    expect(parseUntrustedJson('{"\\u005f_proto__":1}', 8)).toMatchObject({ ok: false, malformed: false });
    expect(parseUntrustedJson('{"constructor":{"prototype":{}}}', 8)).toMatchObject({ ok: false });
  });

  it('says malformed only for text that is not JSON', () => {
    expect(parseUntrustedJson('{', 8)).toMatchObject({ ok: false, malformed: true });
    expect(parseUntrustedJson('[[[[]]]]', 3)).toMatchObject({ ok: false, malformed: false });
  });
});
