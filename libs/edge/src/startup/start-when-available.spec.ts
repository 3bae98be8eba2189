import { Logger } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { QueryFailedError } from 'typeorm';
import { TransportUnavailableError } from '@app/transport';
import { isDependencyOutage, startWhenAvailable } from './start-when-available';

describe('isDependencyOutage', () => {
  it.each([
    ['PostgreSQL refusing connections', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a TypeORM query cut off', new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))],
    [
      'ioredis giving up on a command',
      Object.assign(new Error('Reached the max retries'), { name: 'MaxRetriesPerRequestError' }),
    ],
    ['an ioredis connection closed', new Error('Connection is closed.')],
    ['the bus not reaching Redis', new TransportUnavailableError('Redis unreachable')],
  ])('is true for %s', (_what, error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it.each([
    ['a bad workflow file', new Error('workflow x.json: unknown agent')],
    ['wrong credentials', Object.assign(new Error('password authentication failed'), { code: '28P01' })],
    ['a Redis command error', new Error('WRONGTYPE Operation against a key holding the wrong kind of value')],
  ])('is false for %s', (_what, error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });
});

describe('startWhenAvailable', () => {
  const quiet = { warn: () => undefined, log: () => undefined } as unknown as Logger;
  afterEach(() => register.clear());

  it('starts over after an outage during start-up, the metrics of the failed attempt no obstacle', async () => {
    // The dependencies answer at once (the gate is given; its own behaviour is tested with real services).
    const gate = jest.fn().mockResolvedValue(undefined);
    let attempts = 0;
    await startWhenAvailable(
      { databaseUrl: 'postgres://x', redisUrl: 'redis://x', port: 0 },
      () => {
        attempts += 1;
        // What each start does first (MetricsModule.forRoot): the process-wide default metrics.
        collectDefaultMetrics();
        if (attempts === 1)
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        return Promise.resolve();
      },
      quiet,
      gate,
    );
    expect(attempts).toBe(2);
    expect(gate).toHaveBeenCalledTimes(2);
  });

  it('does not retry a start-up failure that is not an outage', async () => {
    const gate = jest.fn().mockResolvedValue(undefined);
    await expect(
      startWhenAvailable(
        { databaseUrl: 'postgres://x', redisUrl: 'redis://x', port: 0 },
        () => Promise.reject(new Error('workflow x.json: unknown agent')),
        quiet,
        gate,
      ),
    ).rejects.toThrow('unknown agent');
    expect(gate).toHaveBeenCalledTimes(1);
  });
});
