import { Subject } from 'rxjs';
import { RegistryEvent } from '../events/registry-event';
import { RegistryEventsService } from '../events/registry-events.service';
import { AgentDirectory } from './agent-directory.service';
import { AgentsRepository } from './agents.repository';

function setup(statuses: Record<string, 'online' | 'offline'>) {
  const events = new Subject<RegistryEvent>();
  const resync = new Subject<void>();
  const findStatus = jest.fn((id: string) => Promise.resolve(statuses[id]));
  const directory = new AgentDirectory(
    { findStatus } as unknown as AgentsRepository,
    { events$: events.asObservable(), resync$: resync.asObservable() } as unknown as RegistryEventsService,
  );
  directory.onModuleInit();
  return { directory, events, resync, findStatus };
}

const event = (type: RegistryEvent['type'], agentId: string): RegistryEvent => ({
  type,
  agent_id: agentId,
  at: '',
  origin: 'x',
  data: {},
});

describe('AgentDirectory', () => {
  it('reads PostgreSQL once per known agent', async () => {
    const { directory, findStatus } = setup({ 'DEV-001': 'online' });
    expect(await directory.status('DEV-001')).toBe('online');
    expect(await directory.status('DEV-001')).toBe('online');
    expect(findStatus).toHaveBeenCalledTimes(1);
  });

  it('never caches an unknown agent', async () => {
    const { directory, findStatus } = setup({});
    expect(await directory.status('DEV-404')).toBeUndefined();
    expect(await directory.status('DEV-404')).toBeUndefined();
    expect(findStatus).toHaveBeenCalledTimes(2);
  });

  it('drops an entry when another replica changes the agent, but not on load changes', async () => {
    const { directory, events, findStatus } = setup({ 'DEV-001': 'online' });
    await directory.status('DEV-001');
    events.next(event('load_changed', 'DEV-001'));
    await directory.status('DEV-001');
    expect(findStatus).toHaveBeenCalledTimes(1);
    events.next(event('status_changed', 'DEV-001'));
    await directory.status('DEV-001');
    expect(findStatus).toHaveBeenCalledTimes(2);
  });

  it('forgets everything after the event subscription was re-established', async () => {
    const { directory, resync, findStatus } = setup({ 'DEV-001': 'online' });
    await directory.status('DEV-001');
    resync.next();
    await directory.status('DEV-001');
    expect(findStatus).toHaveBeenCalledTimes(2);
  });
});
