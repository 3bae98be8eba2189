import { AgentRow } from './agents.repository';
import { toAgentView } from './agent.view';

const row: AgentRow = {
  agent_id: 'DEV-001',
  name: 'Dev',
  role: 'backend_dev',
  status: 'online',
  host: 'localhost',
  port: 6001,
  last_heartbeat: new Date('2025-01-01T00:00:00.000Z'),
  created_at: new Date('2024-12-31T00:00:00.000Z'),
  updated_at: new Date('2024-12-31T00:00:00.000Z'),
  metadata: {},
  capabilities: [{ capability: 'nestjs', proficiency_level: 8 }],
  current_tasks: 1,
  max_tasks: 4,
  avg_task_duration_sec: 2.5,
  total_tasks_completed: 2,
};

describe('toAgentView', () => {
  it('uses the database row when Redis knows nothing newer', () => {
    const view = toAgentView(row, undefined);
    expect(view.last_heartbeat).toBe('2025-01-01T00:00:00.000Z');
    expect(view.load).toEqual({
      current_tasks: 1,
      max_tasks: 4,
      load_percentage: 25,
      avg_task_duration_sec: 2.5,
      total_tasks_completed: 2,
    });
  });

  it('shows the latest heartbeat and its reported load', () => {
    const later = Date.parse('2025-01-01T00:00:30.000Z');
    const view = toAgentView(row, { heartbeatMs: later, currentTasks: 3, maxTasks: 6 });
    expect(view.last_heartbeat).toBe('2025-01-01T00:00:30.000Z');
    expect(view.load).toMatchObject({ current_tasks: 3, max_tasks: 6, load_percentage: 50 });
  });

  it('never moves last_heartbeat backwards', () => {
    const earlier = Date.parse('2024-12-31T23:59:00.000Z');
    expect(toAgentView(row, { heartbeatMs: earlier }).last_heartbeat).toBe('2025-01-01T00:00:00.000Z');
  });

  it('says null when the agent never beat', () => {
    expect(toAgentView({ ...row, last_heartbeat: null }, {}).last_heartbeat).toBeNull();
  });
});
