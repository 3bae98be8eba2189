import { HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';

describe('DatabaseHealthIndicator', () => {
  const indicator = new HealthIndicatorService();
  const driverMessage = 'password authentication failed for user "expert_agents" at db.internal:5432';

  it('reports up when the ping is up', async () => {
    const typeorm = { pingCheck: jest.fn().mockResolvedValue({ database: { status: 'up' } }) };
    const check = new DatabaseHealthIndicator(typeorm as unknown as TypeOrmHealthIndicator, indicator);
    expect(await check.isHealthy()).toEqual({ database: { status: 'up' } });
  });

  it.each([
    ['a down result', jest.fn().mockResolvedValue({ database: { status: 'down', message: driverMessage } })],
    ['a thrown driver error', jest.fn().mockRejectedValue(new Error(driverMessage))],
  ])('names the dependency, not the driver message, on %s', async (_case, pingCheck) => {
    const check = new DatabaseHealthIndicator({ pingCheck } as unknown as TypeOrmHealthIndicator, indicator);
    const result = await check.isHealthy();
    expect(result).toEqual({ database: { status: 'down', message: 'database unreachable' } });
    expect(JSON.stringify(result)).not.toContain('expert_agents');
  });
});
