import { Logger } from '@nestjs/common';
import { AgentDefinition, getAgent } from '@app/agents';
import { loadConfig } from '@app/config';
import { HostedAgents } from '../hosting/hosted-agents';
import { AgentStateService } from '../state/agent-state.service';
import { RegistrationService } from './registration.service';
import { RegistryClient, RegistryHttpError } from '@app/contracts';

function setup(ids: string[] = ['QA-001']) {
  const definition: AgentDefinition = getAgent('QA-001');
  const registry = {
    register: jest.fn().mockResolvedValue(undefined),
    heartbeat: jest.fn().mockResolvedValue(undefined),
    reportLoad: jest.fn().mockResolvedValue(undefined),
    setStatus: jest.fn().mockResolvedValue(undefined),
  };
  const agents = {
    ids: () => ids,
    get: () => ({ definition }),
    load: () => ({ current_tasks: 1, max_tasks: 4 }),
  };
  const state = { enable: jest.fn().mockResolvedValue(undefined), disable: jest.fn() };
  const config = loadConfig({
    HEARTBEAT_INTERVAL_SECONDS: '1',
    HEARTBEAT_TTL_SECONDS: '3',
    AGENT_HOST_INSTANCE_ID: 'host-a',
  });
  const service = new RegistrationService(
    config,
    registry as unknown as RegistryClient,
    agents as unknown as HostedAgents,
    state as unknown as AgentStateService,
  );
  return { service, registry, state };
}

describe('RegistrationService', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps retrying until the registry answers, then registers the catalog entry with its capacity', async () => {
    const { service, registry, state } = setup();
    registry.register
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED'))
      .mockRejectedValueOnce(new RegistryHttpError(503, 'down'));
    service.start(6000);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(registry.register).toHaveBeenCalledTimes(3);
    expect(service.isRegistered('QA-001')).toBe(true);
    expect(state.enable).toHaveBeenCalledWith('QA-001');
    const body = registry.register.mock.calls[2][0];
    expect(body).toMatchObject({ agent_id: 'QA-001', role: 'qa_engineer', port: 6000, max_tasks: 4 });
    expect(body.metadata).toMatchObject({ output_kind: 'review', host_instance_id: 'host-a' });
    expect(body.capabilities.length).toBeGreaterThan(0);
    await service.stop();
  });

  it('heartbeats with the load and registers again after a 404', async () => {
    const { service, registry, state } = setup();
    service.start(6000);
    await jest.advanceTimersByTimeAsync(10);
    registry.heartbeat.mockRejectedValueOnce(new RegistryHttpError(404, 'unknown agent'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(registry.heartbeat).toHaveBeenCalledWith('QA-001', { current_tasks: 1, max_tasks: 4 });
    await jest.advanceTimersByTimeAsync(10);
    expect(state.disable).toHaveBeenCalledWith('QA-001');
    expect(registry.register).toHaveBeenCalledTimes(2);
    expect(service.isRegistered('QA-001')).toBe(true);
    await service.stop();
  });

  it('marks registered agents offline on stop, after pending load reports', async () => {
    const { service, registry } = setup();
    service.start(6000);
    await jest.advanceTimersByTimeAsync(10);
    service.reportLoad('QA-001', 1.5);
    await service.stop();
    expect(registry.reportLoad).toHaveBeenCalledWith('QA-001', {
      current_tasks: 1,
      max_tasks: 4,
      task_duration_sec: 1.5,
    });
    expect(registry.setStatus).toHaveBeenCalledWith('QA-001', 'offline');
  });

  it('logs how many agents the registry really marked offline, not how many it tried', async () => {
    const { service, registry } = setup(['QA-001', 'QA-002']);
    service.start(6000);
    await jest.advanceTimersByTimeAsync(10);
    registry.setStatus.mockResolvedValueOnce(undefined).mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await service.stop();
    expect(registry.setStatus).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith('marked 1 agent(s) offline (1 failed)');
    expect(log).not.toHaveBeenCalledWith(expect.stringMatching(/marked 2/));
  });
});
