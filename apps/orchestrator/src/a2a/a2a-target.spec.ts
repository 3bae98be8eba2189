import { randomUUID } from 'node:crypto';
import { Message, Part, Role } from '@a2a-js/sdk';
import { readDecision } from './a2a-executor';
import { resolveTarget } from './a2a-target';

const WORKFLOWS = new Map([['feature_delivery', { required: ['feature'] }]]);
const text = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: '',
  filename: '',
  metadata: {},
});
const data = (value: unknown): Part => ({
  content: { $case: 'data', value },
  mediaType: '',
  filename: '',
  metadata: {},
});
const msg = (parts: Part[], metadata: Record<string, unknown> = {}): Message => ({
  messageId: randomUUID(),
  contextId: '',
  taskId: '',
  role: Role.ROLE_USER,
  parts,
  metadata,
  extensions: [],
  referenceTaskIds: [],
});

describe('resolveTarget (which of our tasks or runs a new A2A task becomes)', () => {
  it('gives a message without metadata to PM-001 on the team endpoint, text as title and input.text', () => {
    const t = resolveTarget(
      'team',
      msg([text('Plan the release\nmore detail'), data({ due: 'friday' })]),
      undefined,
      WORKFLOWS,
    );
    expect(t).toEqual({
      kind: 'task',
      dto: {
        title: 'Plan the release',
        description: 'Plan the release\nmore detail',
        input: { due: 'friday', text: 'Plan the release\nmore detail' },
        agent_id: 'PM-001',
      },
    });
  });

  it('starts a workflow for skill = workflow name, checking its required input', () => {
    expect(
      resolveTarget('team', msg([data({ feature: 'x' })], { skill: 'feature_delivery' }), undefined, WORKFLOWS),
    ).toEqual({
      kind: 'workflow_run',
      workflow: 'feature_delivery',
      input: { feature: 'x' },
    });
    expect(() => resolveTarget('team', msg([text('x')], { skill: 'feature_delivery' }), undefined, WORKFLOWS)).toThrow(
      /needs "feature"/,
    );
  });

  it('routes by role skill, agent_id or capability, and names the bad field', () => {
    expect(resolveTarget('team', msg([text('x')], { skill: 'qa_engineer' }), undefined, WORKFLOWS)).toMatchObject({
      dto: { role: 'qa_engineer' },
    });
    expect(resolveTarget('team', msg([text('x')]), { capability: 'api_design' }, WORKFLOWS)).toMatchObject({
      dto: { capability: 'api_design' },
    });
    expect(() => resolveTarget('team', msg([text('x')], { agent_id: 'NOPE-001' }), undefined, WORKFLOWS)).toThrow(
      /metadata.agent_id/,
    );
    expect(() =>
      resolveTarget('team', msg([text('x')], { agent_id: 'DEV-001', role: 'qa_engineer' }), undefined, WORKFLOWS),
    ).toThrow(/not both/);
    expect(() => resolveTarget('team', msg([]), undefined, WORKFLOWS)).toThrow(/message.parts/);
  });

  it("pins an agent endpoint's tasks to that agent and accepts only its own skills", () => {
    expect(resolveTarget('QA-001', msg([text('x')]), undefined, WORKFLOWS)).toMatchObject({
      dto: { agent_id: 'QA-001' },
    });
    expect(() => resolveTarget('QA-001', msg([text('x')], { skill: 'cardiology' }), undefined, WORKFLOWS)).toThrow(
      /metadata.skill/,
    );
  });
});

describe('readDecision (a follow-up message answering an approval)', () => {
  it('reads text or a data part and refuses anything else', () => {
    expect(readDecision(msg([text('Approve. ship it')]), ['approve', 'reject'])).toEqual({
      decision: 'approve',
      comment: 'ship it',
    });
    expect(readDecision(msg([data({ decision: 'reject', comment: 'no' })]), ['approve', 'reject'])).toEqual({
      decision: 'reject',
      comment: 'no',
    });
    expect(() => readDecision(msg([text('maybe')]), ['approve', 'reject'])).toThrow(/approve \| reject/);
  });
});
