import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_VALIDATORS } from '../output-validators';
import { differentialCases } from './differential-cases';

/**
 * Records what the hand-written validators said about every differential case. Run once, before the
 * switch to one schema per kind (from a throwaway spec: the cases need Jest's `@app/*` mapping).
 */
export function recordDifferential(): number {
  const recorded = differentialCases().map(({ id, kind, output }) => {
    const issues = OUTPUT_VALIDATORS[kind](output);
    // The verdict and the first path named: what the differential compares (messages may be reworded).
    return issues.length === 0 ? [id, true] : [id, false, issues[0].path];
  });
  writeFileSync(
    join(__dirname, 'differential.recorded.json'),
    `[\n${recorded.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`,
  );
  return recorded.length;
}
