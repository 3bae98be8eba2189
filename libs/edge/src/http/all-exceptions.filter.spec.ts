import { ArgumentsHost, BadRequestException } from '@nestjs/common';
import { isDatabaseUnavailable } from '@app/persistence';
import { DomainException } from '../errors/domain.exception';
import { AllExceptionsFilter, dependencyUnavailable } from './all-exceptions.filter';

/** What the filter sent: status, headers, body. */
function answer(exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const reply = {
    sent: false,
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ url: '/api/tasks', id: 'req-1' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  const filter = new AllExceptionsFilter();
  (filter as unknown as { logger: { error: () => void } }).logger = { error: () => undefined };
  filter.catch(exception, host);
  return sent;
}

describe('AllExceptionsFilter: outages are 503 + Retry-After, not 500', () => {
  it.each([
    [
      'PostgreSQL refused the connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['the pool could not get a connection', new Error('timeout exceeded when trying to connect')],
    [
      'PostgreSQL is shutting down (wrapped by TypeORM)',
      Object.assign(new Error('query failed'), { driverError: { code: '57P01' } }),
    ],
    [
      'Redis gave up on a command',
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
    ],
    ['the Redis connection is closed', new Error('Connection is closed.')],
  ])('%s → 503 DEPENDENCY_UNAVAILABLE', (_what, error) => {
    const sent = answer(error);
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('5');
    expect(sent.body).toMatchObject({
      statusCode: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
      path: '/api/tasks',
      request_id: 'req-1',
    });
  });

  it('keeps a bug a 500 without internals, a client error its 4xx, and a full queue its own code and Retry-After', () => {
    expect(answer(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({
      status: 500,
      headers: {},
      body: { message: 'Internal server error' },
    });
    expect(answer(new BadRequestException('title: must be a string')).status).toBe(400);
    const busy = answer(
      new DomainException('unavailable', 'TASK_BACKLOG_FULL', 'backlog: full', { retry_after_seconds: 5 }),
    );
    expect(busy).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { code: 'TASK_BACKLOG_FULL' } });
  });

  it('keeps the outage as the cause of DEPENDENCY_UNAVAILABLE, so a bus handler throwing it is held, not answered', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(dependencyUnavailable(refused))).toBe(true);
    expect(isDatabaseUnavailable(dependencyUnavailable())).toBe(false);
  });
});
