/* eslint-disable @typescript-eslint/no-explicit-any -- the cases mutate arbitrary JSON shapes */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssue, KnownAgents, validateWorkflowDefinition } from '@app/contracts';
import { loadDefinitions, WorkflowDefinitionError } from './definition-loader';

const known: KnownAgents = {
  roles: new Set(['backend_dev', 'qa_engineer']),
  capabilities: new Set(['code_review']),
  agentIds: new Set(['PM-001']),
};

const validateDefinition = (raw: unknown, agents?: KnownAgents): string[] =>
  validateWorkflowDefinition(raw, agents).map(formatIssue);

const valid = () => ({
  name: 'demo',
  description: 'demo',
  start: 'a',
  steps: {
    a: {
      type: 'task',
      title: 'A {{ $.input.x }}',
      assign: { role: 'backend_dev' },
      input: { x: '$.input.x' },
      next: 'b',
    },
    b: {
      type: 'task',
      title: 'B',
      assign: { capability: 'code_review' },
      next: {
        cases: [{ when: { path: '$.steps.b.output.verdict', equals: 'revise' }, to: 'a', max_traversals: 2 }],
        default: 'done',
      },
    },
    done: { type: 'end' },
  },
});

describe('validateDefinition', () => {
  it('accepts a valid definition and the three shipped workflows', () => {
    expect(validateDefinition(valid(), known)).toEqual([]);
    expect([...loadDefinitions(join(__dirname, '../../../workflows')).keys()]).toEqual([
      'feature_delivery',
      'mcq_generation',
      'project_planning',
    ]);
  });

  it.each([
    [
      'an edge to an unknown step',
      (d: any) => (d.steps.a.next = 'nowhere'),
      'steps.a.next: must name a step of the same graph',
    ],
    ['an unbounded loop', (d: any) => delete d.steps.b.next.cases[0].max_traversals, 'the loop'],
    ['an unknown step type', (d: any) => (d.steps.a.type = 'wait'), 'steps.a.type: must be one of'],
    [
      'a task without assignment',
      (d: any) => (d.steps.a.assign = {}),
      'steps.a.assign: needs agent_id, role or capability',
    ],
    [
      'a role not in the catalog',
      (d: any) => (d.steps.a.assign = { role: 'wizard' }),
      'steps.a.assign.role: no role "wizard"',
    ],
    ['a bad path', (d: any) => (d.steps.a.input = { x: '$.input..x' }), 'steps.a.input.x: must be a path'],
    ['a misspelt field', (d: any) => (d.steps.a.tittle = 'x'), 'steps.a.tittle: unknown field'],
    ['a missing start', (d: any) => (d.start = 'zz'), 'start: must name one of the steps'],
    [
      'a bad max_traversals',
      (d: any) => (d.steps.b.next.cases[0].max_traversals = 0),
      'max_traversals: must be an integer 1-100',
    ],
  ])('rejects %s naming the field', (_, mutate, message) => {
    const d = valid();
    mutate(d);
    expect(validateDefinition(d, known).join('\n')).toContain(message);
  });

  it('stops loading at a bad file, naming the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-'));
    writeFileSync(join(dir, 'demo.json'), JSON.stringify(valid()));
    writeFileSync(join(dir, 'zz_broken.json'), '{ "name": ');
    expect(() => loadDefinitions(dir, known)).toThrow(WorkflowDefinitionError);
    expect(() => loadDefinitions(dir, known)).toThrow(/zz_broken\.json[\s\S]*not valid JSON/);
  });

  it('requires the file name to match the workflow name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-'));
    writeFileSync(join(dir, 'other.json'), JSON.stringify(valid()));
    expect(() => loadDefinitions(dir, known)).toThrow(/must match the file name other\.json/);
  });
});
