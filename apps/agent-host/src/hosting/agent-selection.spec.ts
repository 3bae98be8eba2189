import { UnknownAgentError } from '@app/agents';
import { loadConfig } from '@app/config';
import { selectAgents } from './agent-selection';

const select = (value: string) => selectAgents(loadConfig({ AGENT_IDS: value }).agentIds);

describe('selectAgents (AGENT_IDS against the catalog)', () => {
  it('selects every catalog agent for "all"', () => {
    expect(select('all')).toHaveLength(46);
  });

  it('selects a role', () => {
    const qa = select('role:qa_engineer').map((a) => a.agent_id);
    expect(qa).toEqual(['QA-001', 'QA-002', 'QA-003', 'QA-004']);
  });

  it('selects listed ids in order, once each', () => {
    expect(select('MED-001, DEV-001,MED-001').map((a) => a.agent_id)).toEqual(['MED-001', 'DEV-001']);
  });

  it('names an unknown id or role', () => {
    expect(() => select('DEV-001,DEV-999')).toThrow(UnknownAgentError);
    expect(() => select('DEV-001,DEV-999')).toThrow(/DEV-999/);
    expect(() => select('role:astronaut')).toThrow(/astronaut/);
  });
});
