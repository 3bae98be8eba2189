import { createEnvelope } from './envelope';
import { signEnvelope, verifyEnvelopeSignature } from './envelope-signature';

describe('envelope signatures', () => {
  const signer = { keyId: '6f1c1f5e-0000-4000-8000-000000000001', secret: 'a'.repeat(64) };
  const fresh = () =>
    createEnvelope({
      from_agent: 'QA-001',
      to_agent: 'orchestrator.results',
      message_type: 'task.result',
      payload: { task_id: 't1', agent_id: 'QA-001', status: 'completed', result: { n: 1.5, list: [1, 'x'] } },
    });

  it('verifies what it signed, also after a JSON round trip through the stream', () => {
    const signed = signEnvelope(fresh(), signer);
    expect(signed.signer).toBe(signer.keyId);
    const decoded = JSON.parse(JSON.stringify(signed)) as typeof signed;
    expect(verifyEnvelopeSignature(decoded, signer.secret)).toBe(true);
  });

  it('refuses another secret, no signature, and any change of payload or routing fields', () => {
    const signed = signEnvelope(fresh(), signer);
    expect(verifyEnvelopeSignature(signed, 'b'.repeat(64))).toBe(false);
    expect(verifyEnvelopeSignature({ ...signed, sig: undefined }, signer.secret)).toBe(false);
    const tampered = [
      { ...signed, payload: { ...(signed.payload as object), agent_id: 'DEV-001' } },
      { ...signed, from_agent: 'DEV-001' },
      { ...signed, message_type: 'task.started' },
      { ...signed, correlation_id: 'other' },
      // Same length, one character different.
      { ...signed, sig: (signed.sig?.startsWith('A') ? 'B' : 'A') + (signed.sig ?? '').slice(1) },
    ];
    for (const envelope of tampered) expect(verifyEnvelopeSignature(envelope, signer.secret)).toBe(false);
  });
});
