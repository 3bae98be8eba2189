import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['an administrator shutdown', pgError('terminating connection due to administrator command', '57P01')],
    ['a server still starting', pgError('the database system is starting up', '57P03')],
    ['a connection exception (class 08)', pgError('connection failure', '08006')],
    ['too many connections', pgError('sorry, too many clients already', '53300')],
    [
      'a driver error wrapped by TypeORM',
      new QueryFailedError('SELECT 1', [], pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
    ],
    ['an AggregateError of refused addresses', new AggregateError([pgError('refused', 'ECONNREFUSED')], 'all failed')],
    ['a statement of a query runner TypeORM released when its connection died', new QueryRunnerAlreadyReleasedError()],
    ['a transaction whose runner TypeORM released (DataSource.query)', new QueryRunnerProviderAlreadyReleasedError()],
  ])('is true for %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], pgError('duplicate key value', '23505'))],
    ['a syntax error', pgError('syntax error at or near "SELEC"', '42601')],
    ['a failed authentication (configuration, not an outage)', pgError('password authentication failed', '28P01')],
    ['a plain handler error', new Error('validation failed')],
    ['a non-error value', 'boom'],
    ['nothing', undefined],
  ])('is false for %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
