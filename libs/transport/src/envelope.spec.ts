import fc from 'fast-check';
import { validateSync } from 'class-validator';
import {
  assertValidEnvelope,
  checkEnvelope,
  createEnvelope,
  envelopeErrors,
  InvalidEnvelopeError,
  isValidEnvelopeFast,
  TransportEnvelope,
} from './envelope';

describe('TransportEnvelope', () => {
  const base = () =>
    createEnvelope({ from_agent: 'PM-001', to_agent: 'DEV-001', message_type: 'task.execute', payload: { a: 1 } });

  it('creates a valid envelope with id, timestamp, correlation id and attempt 1', () => {
    const e = base();
    expect(envelopeErrors(e)).toEqual([]);
    expect(e).toMatchObject({ attempt: 1, correlation_id: e.id });
    expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
  });

  it('names every missing or wrong field', () => {
    const errors = envelopeErrors({
      ...base(),
      from_agent: '',
      attempt: 0,
      timestamp: 'yesterday',
      payload: undefined,
    });
    expect(errors.map((e) => e.split(':')[0]).sort()).toEqual(['attempt', 'from_agent', 'payload', 'timestamp']);
    expect(envelopeErrors('text')).toEqual(['envelope must be a JSON object']);
    expect(envelopeErrors([1])).toEqual(['envelope must be a JSON object']);
  });

  it('checks traceparent against the W3C format', () => {
    const ok = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(envelopeErrors({ ...base(), traceparent: ok })).toEqual([]);
    for (const bad of [
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      'x',
    ]) {
      expect(envelopeErrors({ ...base(), traceparent: bad })).toEqual([expect.stringContaining('traceparent')]);
    }
    expect(() => assertValidEnvelope({ ...base(), traceparent: 'x' })).toThrow(InvalidEnvelopeError);
  });
});

describe('isValidEnvelopeFast', () => {
  const valid = createEnvelope({ from_agent: 'PM-001', to_agent: 'DEV-001', message_type: 'x', payload: { a: 1 } });
  const anyValue = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.constant(''),
    fc.string(),
    fc.integer({ min: -2, max: 3 }),
    fc.double(),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-02-30T00:00:00Z', '2026-01-01', 'yesterday'),
    fc.constantFrom(
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    ),
  );
  const fields = [
    'id',
    'from_agent',
    'to_agent',
    'message_type',
    'payload',
    'timestamp',
    'correlation_id',
    'attempt',
    'traceparent',
    'reply_to',
  ];

  it('agrees with class-validator on random mutations of a valid envelope', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fields), anyValue, { maxKeys: 3 }), (changes) => {
        const candidate = { ...valid, ...changes };
        const instance = Object.assign(new TransportEnvelope(), candidate);
        const classValidatorOk = validateSync(instance, { forbidUnknownValues: false }).length === 0;
        expect(isValidEnvelopeFast(candidate)).toBe(classValidatorOk);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('checkEnvelope (hostile copies)', () => {
  const good = () =>
    createEnvelope({ from_agent: 'PM-001', to_agent: 'DEV-001', message_type: 'task.execute', payload: { a: 1 } });

  it('returns a null-prototype copy holding only the envelope fields', () => {
    const checked = checkEnvelope(good());
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(Object.getPrototypeOf(checked.envelope)).toBeNull();
  });

  it('refuses an own __proto__ key (JSON.parse makes one) instead of letting it swap the prototype', () => {
    const { attempt: _a, ...rest } = good();
    const parsed = JSON.parse(`{"__proto__":{"attempt":1},${JSON.stringify(rest).slice(1)}`) as unknown;
    const checked = checkEnvelope(parsed);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.join('; ')).toMatch(/__proto__: unknown envelope field.*attempt/);
  });

  it('refuses a numeric reply_to and unknown fields', () => {
    expect(envelopeErrors({ ...good(), reply_to: 5 })).toEqual([expect.stringContaining('reply_to')]);
    expect(envelopeErrors({ ...good(), extra: 1 })).toEqual(['extra: unknown envelope field']);
  });
});
