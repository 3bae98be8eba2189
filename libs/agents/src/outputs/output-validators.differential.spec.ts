import { OUTPUT_VALIDATORS, validateConsultation } from './output-validators';
import { differentialCases } from './testing/differential-cases';
import recorded from './testing/differential.recorded.json';

// What the hand-written validators said about each case (recorded before the switch to compiled
// schemas): the current validators must accept and reject exactly the same outputs, naming the same
// first path. Messages may be reworded, so they are not compared here (the validator specs pin them).
describe('output validators against the recorded verdicts', () => {
  const cases = differentialCases();
  const validators = { ...OUTPUT_VALIDATORS, consultation: validateConsultation };
  const expected = new Map((recorded as [string, boolean, string?][]).map(([id, ...verdict]) => [id, verdict]));

  it('covers every recorded case', () => {
    expect(cases.map((c) => c.id)).toEqual([...expected.keys()]);
  });

  it('gives every case its recorded verdict and first path', () => {
    const differences = cases.flatMap(({ id, kind, output }) => {
      const issues = validators[kind](output);
      const actual = issues.length === 0 ? [true] : [false, issues[0].path];
      const want = expected.get(id);
      return JSON.stringify(actual) === JSON.stringify(want) ? [] : [{ id, want, actual, issues }];
    });
    expect(differences).toEqual([]);
  });
});
