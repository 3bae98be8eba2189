import Ajv from 'ajv';
import { createTask } from '../lifecycle/agent-task';
import { OUTPUT_KINDS } from '../outputs/output-kinds';
import { OUTPUT_SCHEMAS } from '../outputs/output-schemas';
import { OUTPUT_VALIDATORS, validateOutput } from '../outputs/output-validators';
import { scriptedOutput } from '../providers/scripted-outputs';
import {
  AGENT_CATALOG,
  agentsByCapability,
  agentsByRole,
  findAgent,
  getAgent,
  MEDICAL_SPECIALTIES,
  parseAgentSelector,
  specialtyForTopic,
  UnknownAgentError,
} from './catalog';
import { CAPABILITY_OUTPUT_KIND } from './output-contracts';
import { AGENT_ROLES } from './roles';

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);

describe('agent catalog', () => {
  it('holds exactly the 46 agents, with unique ids', () => {
    const expected = [
      'PM-001',
      ...ids('DEV', 12),
      ...ids('AI', 8),
      ...ids('DEVOPS', 6),
      ...ids('QA', 4),
      ...ids('MED', 15),
    ];
    expect(AGENT_CATALOG.map((a) => a.agent_id)).toEqual(expected);
    expect(new Set(AGENT_CATALOG.map((a) => a.agent_id)).size).toBe(46);
  });

  it.each([
    ['PM-001', 'Project Manager', 'project_manager', 'plan', 'project_planning'],
    ['DEV-001', 'Senior Backend Architect', 'backend_dev', 'design_doc', 'system_design'],
    ['DEV-002', 'Frontend Architect', 'frontend_dev', 'design_doc', 'frontend_architecture'],
    ['AI-001', 'RAG System Architect', 'ai_engineer', 'design_doc', 'rag_architecture'],
    ['QA-001', 'Medical QA Specialist', 'qa_engineer', 'review', 'mcq_review'],
    ['MED-001', 'Cardiology Expert', 'medical_expert', 'mcq_item', 'cardiology'],
  ])('describes the seed agent %s as %s', (id, name, role, kind, capability) => {
    const agent = getAgent(id);
    expect(agent).toMatchObject({ name, role, output_kind: kind });
    expect(agent.capabilities.map((c) => c.capability)).toContain(capability);
  });

  it('gives DEV-001 its FastAPI/SQLAlchemy stack and QA-001 medical QA', () => {
    expect(getAgent('DEV-001').technologies).toEqual(expect.arrayContaining(['FastAPI', 'SQLAlchemy']));
    expect(getAgent('QA-001').capabilities.map((c) => c.capability)).toEqual(
      expect.arrayContaining(['mcq_review', 'medical_qa']),
    );
  });

  it('has distinct names and complete seed metadata for every agent', () => {
    expect(new Set(AGENT_CATALOG.map((a) => a.name)).size).toBe(46);
    for (const a of AGENT_CATALOG) {
      expect(AGENT_ROLES).toContain(a.role);
      expect(a.experience_years).toBeGreaterThan(0);
      expect(a.max_concurrent_tasks).toBeGreaterThanOrEqual(1);
      for (const list of [a.technologies, a.specializations, a.pros, a.cons]) expect(list.length).toBeGreaterThan(0);
      expect(a.capabilities.length).toBeGreaterThanOrEqual(2);
      expect(new Set(a.capabilities.map((c) => c.capability)).size).toBe(a.capabilities.length);
      for (const c of a.capabilities) {
        expect(c.capability).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(Number.isInteger(c.proficiency_level) && c.proficiency_level >= 1 && c.proficiency_level <= 10).toBe(
          true,
        );
      }
    }
  });

  it('gives every agent a non-trivial system prompt about its own specialty and output kind', () => {
    for (const a of AGENT_CATALOG) {
      const prompt = a.system_prompt.toLowerCase();
      expect(a.system_prompt.length).toBeGreaterThan(600);
      expect(a.system_prompt.split(/[.!?]\s/).length).toBeGreaterThanOrEqual(5);
      expect(prompt).toContain(a.name.toLowerCase());
      expect(prompt).toContain(a.agent_id.toLowerCase());
      // The persona itself (not the shared contract) must name one of its specializations.
      const persona = prompt.split('\n\n')[0];
      expect(a.specializations.some((s) => persona.includes(s.toLowerCase()))).toBe(true);
      expect(prompt).toContain(
        a.output_kind === 'mcq_item' ? 'multiple-choice question' : a.output_kind.replace('_', ' '),
      );
    }
  });

  it('gives each medical expert a distinct specialty capability plus mcq_authoring, mentioned in its prompt', () => {
    const medical = agentsByRole('medical_expert');
    expect(medical).toHaveLength(15);
    expect(new Set(MEDICAL_SPECIALTIES).size).toBe(15);
    for (const a of medical) {
      const specialty = a.capabilities[0].capability;
      expect(a.capabilities.map((c) => c.capability)).toContain('mcq_authoring');
      expect(a.system_prompt.toLowerCase()).toContain(specialty.replace(/_/g, ' ').split(' ')[0]);
    }
  });

  it('binds deliverable capabilities to agents that produce that output kind, and covers every workflow step', () => {
    for (const a of AGENT_CATALOG) {
      for (const c of a.capabilities) {
        const kind = CAPABILITY_OUTPUT_KIND[c.capability];
        if (kind)
          expect(`${a.agent_id}:${c.capability}:${a.output_kind}`).toBe(`${a.agent_id}:${c.capability}:${kind}`);
      }
    }
    for (const capability of Object.keys(CAPABILITY_OUTPUT_KIND))
      expect(agentsByCapability(capability).length).toBeGreaterThan(0);
    expect(agentsByCapability('deployment_planning').some((a) => a.role === 'devops_engineer')).toBe(true);
    expect(agentsByCapability('test_planning').some((a) => a.role === 'qa_engineer')).toBe(true);
  });

  it('has a validator and a schema for every output kind, and every kind is produced by some agent', () => {
    for (const kind of OUTPUT_KINDS) {
      expect(typeof OUTPUT_VALIDATORS[kind]).toBe('function');
      expect(OUTPUT_SCHEMAS[kind]).toMatchObject({ type: 'object', additionalProperties: false });
      expect(AGENT_CATALOG.some((a) => a.output_kind === kind)).toBe(true);
    }
  });

  it('produces, for every agent, a scripted output that passes its validator and matches its JSON schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const a of AGENT_CATALOG) {
      const task = createTask({
        title: `Sample task for ${a.name}`,
        description: 'A representative brief.',
        input: a.agent_id === 'PM-001' ? {} : { topic: 'heart failure' },
      });
      const output = scriptedOutput(a, task);
      expect({ agent: a.agent_id, errors: validateOutput(a.output_kind, output).errors }).toEqual({
        agent: a.agent_id,
        errors: [],
      });
      const check = ajv.compile(OUTPUT_SCHEMAS[a.output_kind]);
      expect({ agent: a.agent_id, valid: check(output), errors: check.errors ?? null }).toEqual({
        agent: a.agent_id,
        valid: true,
        errors: null,
      });
    }
  });
});

describe('catalog lookups', () => {
  it('finds by id, role and capability (most proficient first)', () => {
    expect(findAgent('NOPE-001')).toBeUndefined();
    expect(() => getAgent('NOPE-001')).toThrow(/unknown agent id "NOPE-001"/);
    expect(agentsByRole('devops_engineer')).toHaveLength(6);
    expect(agentsByRole('qa_engineer').map((a) => a.agent_id)).toEqual(['QA-001', 'QA-002', 'QA-003', 'QA-004']);
    const designers = agentsByCapability('system_design');
    expect(designers[0].agent_id).toBe('DEV-001');
    const levels = designers.map(
      (a) => a.capabilities.find((c) => c.capability === 'system_design')?.proficiency_level ?? 0,
    );
    expect([...levels].sort((x, y) => y - x)).toEqual(levels);
    expect(agentsByCapability('cardiology').map((a) => a.agent_id)).toEqual(['MED-001']);
  });

  it.each([
    ['Cardiology: heart failure with reduced ejection fraction', 'cardiology'],
    ['atrial fibrillation in Arrhythmias', 'cardiology'],
    ['Pediatrics', 'pediatrics'],
    ['Asthma', 'pulmonology'],
    ['Diabetes mellitus type 2', 'endocrinology'],
    ['drug interactions of warfarin', 'clinical_pharmacology'],
  ])('routes the topic "%s" to %s', (topic, specialty) => {
    expect(specialtyForTopic(topic)).toBe(specialty);
  });

  it('returns no specialty for an unrelated topic', () => {
    expect(specialtyForTopic('kubernetes autoscaling')).toBeUndefined();
  });
});

describe('parseAgentSelector (AGENT_IDS)', () => {
  it('selects all, a role, or a list of ids (deduplicated, in order)', () => {
    expect(parseAgentSelector('all')).toHaveLength(46);
    expect(parseAgentSelector('role:qa_engineer').map((a) => a.agent_id)).toEqual([
      'QA-001',
      'QA-002',
      'QA-003',
      'QA-004',
    ]);
    expect(parseAgentSelector(' DEV-001, QA-001 ,DEV-001').map((a) => a.agent_id)).toEqual(['DEV-001', 'QA-001']);
    expect(parseAgentSelector('role:project_manager,MED-001').map((a) => a.agent_id)).toEqual(['PM-001', 'MED-001']);
  });

  it('names every unknown id and role', () => {
    expect(() => parseAgentSelector('DEV-001,DEV-099,role:wizard')).toThrow(UnknownAgentError);
    expect(() => parseAgentSelector('DEV-001,DEV-099,role:wizard')).toThrow(
      /agent id "DEV-099", role "wizard" \(known roles: project_manager/,
    );
    expect(() => parseAgentSelector('  ')).toThrow(/empty/);
    expect(() => parseAgentSelector('all,DEV-001')).toThrow(/"all" cannot be combined/);
  });
});
