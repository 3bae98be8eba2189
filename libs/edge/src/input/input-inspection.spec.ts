import { findInputProblem, hasUnstorableText } from './input-inspection';

describe('findInputProblem', () => {
  it('accepts ordinary values, surrogate pairs included', () => {
    expect(findInputProblem({ title: 'ok 😀', input: { list: [1, 'a', null, { b: true }] } }, 'body')).toBeNull();
  });

  it('names the path of a NUL in a nested value', () => {
    expect(findInputProblem({ input: { items: ['a', { t: 'x\u0000' }] } }, 'body')).toEqual({
      field: 'input.items[1].t',
      message: 'input.items[1].t must not contain NUL (\\u0000) characters',
    });
  });

  it('names lone surrogates, high and low', () => {
    expect(hasUnstorableText('a\ud800')).toBe(true);
    expect(hasUnstorableText('\udc00a')).toBe(true);
    expect(hasUnstorableText('\ud83d\ude00')).toBe(false);
    expect(findInputProblem({ name: 'a\udc00' }, 'body')?.field).toBe('name');
  });

  it('names a bad key by its parent', () => {
    expect(findInputProblem({ metadata: { 'a\u0000': 1 } }, 'body')?.field).toBe('metadata');
  });

  it('names the root for a bare string', () => {
    expect(findInputProblem('\u0000', 'agent_id')).toEqual(expect.objectContaining({ field: 'agent_id' }));
  });

  it('refuses nesting past the limit without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findInputProblem({ input: deep }, 'body', 64)?.message).toMatch(/nested deeper than 64 levels/);
    expect(findInputProblem({ input: [[1]] }, 'body', 3)).toBeNull();
    expect(findInputProblem({ input: [[[1]]] }, 'body', 3)?.field).toBe('input[0][0]');
  });
});
