import { AgentCard } from '@a2a-js/sdk';
import {
  cleanupRegistryKeys,
  nextAgentId,
  registration,
  RegistryUnderTest,
  startRegistry,
} from '../registry/registry-test-app';

describe('registry: A2A agent cards (real PostgreSQL, Redis)', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry({ ORCHESTRATOR_PUBLIC_URL: 'https://agents.example.com' });
  });

  afterAll(async () => {
    await registry.close();
    await cleanupRegistryKeys(registry.prefix);
  });

  it("serves an agent's card: skills from capabilities with proficiency tags, Bearer security, the orchestrator's endpoints", async () => {
    const agentId = nextAgentId('CRD');
    await registry.call(
      'POST',
      '/api/agents/register',
      registration(agentId, {
        capabilities: [
          { capability: 'nestjs', proficiency_level: 8 },
          { capability: 'sql', proficiency_level: 5 },
        ],
      }),
    );
    const r = await registry.call('GET', `/api/agents/${agentId}/card`);
    expect(r.status).toBe(200);
    expect(r.body.supportedInterfaces).toEqual([
      {
        url: `https://agents.example.com/a2a/agents/${agentId}/jsonrpc`,
        protocolBinding: 'JSONRPC',
        protocolVersion: '1.0',
      },
      {
        url: `https://agents.example.com/a2a/agents/${agentId}/rest`,
        protocolBinding: 'HTTP+JSON',
        protocolVersion: '1.0',
      },
    ]);
    expect(r.body.skills.map((s: { id: string }) => s.id)).toEqual(['nestjs', 'sql']);
    expect(r.body.skills[0].tags).toEqual(expect.arrayContaining(['proficiency:8', 'backend_dev']));
    expect(r.body.securitySchemes.bearer.httpAuthSecurityScheme.scheme).toBe('Bearer');
    expect(r.body.capabilities).toMatchObject({ streaming: true, pushNotifications: true });
    // The SDK reads it as a valid v1.0 card.
    const parsed = AgentCard.fromJSON(r.body);
    expect(parsed.skills).toHaveLength(2);
    expect((await registry.call('GET', '/api/agents/NOP-999/card')).status).toBe(404);
  });

  it('lists cards and discovers them by skill and minimum proficiency', async () => {
    const strong = nextAgentId('CRD');
    const weak = nextAgentId('CRD');
    const skill = `skill_${Date.now()}`;
    await registry.call(
      'POST',
      '/api/agents/register',
      registration(strong, { capabilities: [{ capability: skill, proficiency_level: 9 }] }),
    );
    await registry.call(
      'POST',
      '/api/agents/register',
      registration(weak, { capabilities: [{ capability: skill, proficiency_level: 3 }] }),
    );
    const all = await registry.call('GET', `/api/agents/cards?skill=${skill}`);
    expect(all.status).toBe(200);
    expect(all.body.cards.map((c: { name: string }) => c.name.split(' ')[0]).sort()).toEqual([strong, weak].sort());
    const good = await registry.call('GET', `/api/agents/cards?skill=${skill}&min_proficiency=8`);
    expect(good.body.cards.map((c: { name: string }) => c.name.split(' ')[0])).toEqual([strong]);
    const bad = await registry.call('GET', '/api/agents/cards?min_proficiency=11');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('min_proficiency');
  });
});
