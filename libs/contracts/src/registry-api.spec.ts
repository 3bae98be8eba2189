import { readAgentAnswer, readDiscoveryAnswer } from './registry-api';

describe('reading the registry’s answers (registry-api contract)', () => {
  it('takes who and how busy from a discovery answer, leaving out entries that are not agents', () => {
    const answer = {
      agents: [
        { agent_id: 'DEV-001', name: 'x', role: 'backend_dev', current_tasks: 1, max_tasks: 3, load_percentage: 33 },
        { agent_id: 'DEV-002', current_tasks: -1, max_tasks: 3 },
        { agent_id: '', current_tasks: 0, max_tasks: 3 },
        'DEV-003',
      ],
      available_count: 1,
    };
    expect(readDiscoveryAnswer(answer)).toEqual([{ agent_id: 'DEV-001', current_tasks: 1, max_tasks: 3 }]);
    expect(readDiscoveryAnswer({ agents: [] })).toEqual([]);
  });

  it('refuses bodies that are not discovery answers or agent views', () => {
    for (const body of [null, [], 'x', { agents: 'DEV-001' }, {}]) expect(readDiscoveryAnswer(body)).toBeUndefined();
    for (const body of [null, {}, { agent_id: 'QA-001' }, { agent_id: 'QA-001', load: { current_tasks: 0 } }])
      expect(readAgentAnswer(body)).toBeUndefined();
  });

  it('takes the load of one agent view', () => {
    const view = {
      agent_id: 'QA-001',
      status: 'online',
      load: { current_tasks: 2, max_tasks: 4, load_percentage: 50 },
    };
    expect(readAgentAnswer(view)).toEqual({ agent_id: 'QA-001', current_tasks: 2, max_tasks: 4 });
  });
});
