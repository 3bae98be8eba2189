import { QueryFailedError } from 'typeorm';
import { TransportUnavailableError } from '@app/transport';
import { isDependencyOutage } from './start-when-available';

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
