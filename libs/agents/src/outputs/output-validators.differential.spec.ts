import { OUTPUT_VALIDATORS, validateConsultation } from './output-validators';
import { differentialCases } from './testing/differential-cases';
import recorded from './testing/differential.recorded.json';
import { outputHash } from './testing/output-hash';

/*
 * What the hand-written validators said about each case, recorded before the switch to compiled schemas
 * (decision 0163): the current validators must accept and reject exactly the same outputs, naming the same first
 * path. Messages may be reworded, so they are not compared here (the validator specs pin them).
 *
 * The old validators are gone, so the record can not be redone: a case is compared only while its output is the
 * one recorded (same id and fingerprint). Cases built from the catalog's scripted outputs drop out when those
 * change; the specs' inputs and the property samples depend on nothing else and must always be compared.
 */
describe('output validators against the recorded verdicts', () => {
  const validators = { ...OUTPUT_VALIDATORS, consultation: validateConsultation };
  const baseline = new Map(
    (recorded as [string, string, boolean, string?][]).map(([id, hash, ...verdict]) => [id, { hash, verdict }]),
  );
  const cases = differentialCases();
  const compared = cases.filter(({ id, output }) => baseline.get(id)?.hash === outputHash(output));

  it('still has the outputs it was recorded on', () => {
    const stable = (id: string) => id.startsWith('spec/') || id.startsWith('property/');
    expect(cases.filter((c) => stable(c.id) && !compared.includes(c)).map((c) => c.id)).toEqual([]);
    expect(compared.length).toBeGreaterThan(0);
  });

  it('gives every case its recorded verdict and first path', () => {
    const differences = compared.flatMap(({ id, kind, output }) => {
      const issues = validators[kind](output);
      const actual = issues.length === 0 ? [true] : [false, issues[0].path];
      const want = baseline.get(id)?.verdict;
      return JSON.stringify(actual) === JSON.stringify(want) ? [] : [{ id, want, actual, issues }];
    });
    expect(differences).toEqual([]);
  });
});
