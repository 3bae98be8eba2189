import { AgentDefinition, parseAgentSelector } from '@app/agents';
import { AgentSelection } from '@app/config';

/**
 * The catalog agents AGENT_IDS selects. Throws UnknownAgentError naming every unknown id or role, which stops
 * start-up before anything connects.
 */
export function selectAgents(selection: AgentSelection): AgentDefinition[] {
  switch (selection.kind) {
    case 'all':
      return parseAgentSelector('all');
    case 'role':
      return parseAgentSelector(`role:${selection.role}`);
    case 'ids':
      return parseAgentSelector(selection.ids.join(','));
  }
}
