import { DomainException } from '@app/edge';
import { profileOf, ProfileOptions } from './card-profile';

const card = (over: Record<string, unknown> = {}) => ({
  name: 'Outside coder',
  description: 'writes code',
  version: '1.0.0',
  supportedInterfaces: [
    { url: 'https://x.example/grpc', protocolBinding: 'GRPC', protocolVersion: '1.0' },
    { url: 'https://x.example/rest', protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
  ],
  capabilities: { streaming: true },
  skills: [
    { id: 'writeCode', name: 'Write code', description: '', tags: ['python', 'backend_dev'] },
    { id: 'code_review', name: 'Review', description: '', tags: ['proficiency:8'] },
  ],
  ...over,
});
const options: ProfileOptions = { capabilityMap: { python: 'code_implementation' } };

function problem(raw: unknown, opts: ProfileOptions = options): string {
  try {
    profileOf(raw, opts);
  } catch (err) {
    if (err instanceof DomainException) return `${err.code} ${err.message}`;
    throw err;
  }
  throw new Error('accepted');
}

describe('profileOf (remote agent cards)', () => {
  it('picks the first interface we call, maps tags to capabilities, keeps proficiency tags, finds role and kind', () => {
    const p = profileOf(card(), { ...options, outputKind: 'code_change' });
    expect(p.endpoint).toEqual({
      url: 'https://x.example/rest',
      protocolBinding: 'HTTP+JSON',
      protocolVersion: '1.0',
      tenant: '',
    });
    expect(p.capabilities).toEqual([
      { capability: 'code_implementation', proficiency_level: 5 },
      { capability: 'code_review', proficiency_level: 8 },
    ]);
    expect(p.role).toBe('backend_dev');
    // Two deliverable capabilities (code_change, review) disagree: the registration must say.
    expect(problem(card())).toMatch(
      /^CARD_INVALID output_kind: the card's skills produce several kinds \(code_change, review\)/,
    );
    expect(p.streaming).toBe(true);
  });

  it('output kind: given, else from output: tags, else from the capabilities when they agree', () => {
    expect(profileOf(card(), { ...options, outputKind: 'review' }).output_kind).toBe('review');
    const tagged = card({ skills: [{ id: 'x', name: 'x', description: '', tags: ['output:test_plan'] }] });
    expect(profileOf(tagged, { ...options, role: 'qa_engineer' }).output_kind).toBe('test_plan');
    const one = card({ skills: [{ id: 'system_design', name: 'x', description: '', tags: [] }] });
    expect(profileOf(one, { ...options, role: 'ai_engineer' }).output_kind).toBe('design_doc');
    expect(
      problem(card({ skills: [{ id: 'chat', name: 'x', description: '', tags: [] }] }), { ...options, role: 'r' }),
    ).toMatch(/^CARD_INVALID output_kind: cannot tell/);
  });

  it('role: given, else the one role tag, else the configured default, else a 400 naming role', () => {
    const untagged = card({ skills: [{ id: 'system_design', name: 'x', description: '', tags: [] }] });
    expect(profileOf(untagged, { ...options, role: 'ai_engineer' }).role).toBe('ai_engineer');
    expect(profileOf(untagged, { ...options, defaultRole: 'outside' }).role).toBe('outside');
    expect(problem(untagged)).toMatch(/^CARD_INVALID role: /);
  });

  it('names the card field that is wrong', () => {
    expect(problem(null)).toBe('CARD_INVALID card: is not a JSON object');
    expect(problem(card({ name: '' }))).toMatch(/card\.name: must not be empty/);
    expect(problem(card({ supportedInterfaces: [] }))).toMatch(/card\.supportedInterfaces: must list/);
    expect(
      problem(card({ supportedInterfaces: [{ url: 'ftp://x', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] })),
    ).toMatch(/card\.supportedInterfaces\[0\]\.url: must be an absolute http/);
    expect(
      problem(card({ supportedInterfaces: [{ url: 'https://x/g', protocolBinding: 'GRPC', protocolVersion: '1.0' }] })),
    ).toMatch(/card\.supportedInterfaces: no interface with a binding we call/);
    expect(problem(card({ skills: [{ id: 'a', name: 'a', description: '', tags: 'python' }] }))).toMatch(
      /card\.skills\[0\]\.tags/,
    );
    expect(problem(card({ defaultInputModes: 'text' }))).toMatch(/card\.defaultInputModes/);
  });
});
