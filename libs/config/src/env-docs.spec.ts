import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARIABLES } from './config-env';

/** README's tables list every variable the schema declares (docs/decisions/0165): a new one must be documented. */
describe('README documents the environment schema', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const documented = new Set(
    readme
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .flatMap((line) => [...line.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\bPG[A-Z]+\b/g)].map((m) => m[0])),
  );

  it('names every declared variable in a table row', () => {
    expect(Object.keys(ENV_VARIABLES).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('gives every variable a description in the schema', () => {
    expect(Object.entries(ENV_VARIABLES).filter(([, schema]) => schema.description.trim() === '')).toEqual([]);
  });
});
