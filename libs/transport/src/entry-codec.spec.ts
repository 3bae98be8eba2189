import { createEnvelope } from './envelope';
import { decodeDeadLetter, decodeEntry, encodeDeadLetter, encodeEnvelope, fieldsToRecord } from './entry-codec';

describe('entry codec', () => {
  const envelope = createEnvelope({ from_agent: 'PM-001', to_agent: 'DEV-001', message_type: 'x', payload: [1] });

  it('round-trips an envelope through stream fields', () => {
    expect(decodeEntry(fieldsToRecord(encodeEnvelope(envelope)))).toEqual({ ok: true, envelope });
  });

  it('classifies malformed entries instead of throwing', () => {
    expect(decodeEntry({ envelope: '{' })).toMatchObject({ ok: false, reason: 'malformed_json' });
    expect(decodeEntry({ other: '1' })).toMatchObject({
      ok: false,
      reason: 'invalid_envelope',
      error: expect.stringContaining('no "envelope" field'),
    });
    expect(decodeEntry({ envelope: '42' })).toMatchObject({ ok: false, reason: 'invalid_envelope' });
    expect(decodeEntry({ envelope: JSON.stringify({ ...envelope, message_type: 7 }) })).toMatchObject({
      ok: false,
      error: expect.stringContaining('message_type'),
    });
  });

  it('round-trips a dead-letter entry, keeping the original fields verbatim', () => {
    const entry = {
      address: 'DEV-001',
      reason: 'unknown_pattern' as const,
      error: 'no handler',
      attempts: 1,
      source_id: '1-0',
      consumer: 'host-a',
      dead_lettered_at: '2026-01-01T00:00:00.000Z',
      message_type: 'x',
      original: { envelope: '{not json' },
    };
    expect(decodeDeadLetter('9-0', fieldsToRecord(encodeDeadLetter(entry)))).toEqual({ id: '9-0', ...entry });
  });
});
