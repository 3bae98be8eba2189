import { Writable } from 'node:stream';
import { AppLogger, logRequest } from './app-logger';

function capture(level = 'info'): { logger: AppLogger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = new AppLogger('svc', level, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('AppLogger', () => {
  it('writes Nest-style calls as JSON with service, level, context and message', () => {
    const { logger, lines } = capture();
    logger.log('started', 'Bootstrap');
    logger.warn('slow', 'Dispatcher');
    expect(lines()).toEqual([
      expect.objectContaining({ service: 'svc', pid: process.pid, level: 30, context: 'Bootstrap', msg: 'started' }),
      expect.objectContaining({ level: 40, context: 'Dispatcher', msg: 'slow' }),
    ]);
  });

  it('keeps the fields of an object and the stack Nest passes with an error', () => {
    const { logger, lines } = capture();
    logger.error({ request_id: 'r1', path: '/x' }, 'unhandled error', 'HttpError');
    logger.error('boom', 'Error: boom\n    at x (y.js:1:1)', 'ExceptionHandler');
    const [first, second] = lines();
    expect(first).toMatchObject({
      level: 50,
      request_id: 'r1',
      path: '/x',
      msg: 'unhandled error',
      context: 'HttpError',
    });
    expect(second).toMatchObject({ level: 50, msg: 'boom', context: 'ExceptionHandler' });
    expect(String(second.stack)).toContain('at x (y.js:1:1)');
  });

  it('serialises an Error given as the message', () => {
    const { logger, lines } = capture();
    logger.error(new Error('db down'), 'Flusher');
    expect(lines()[0]).toMatchObject({
      msg: 'db down',
      context: 'Flusher',
      err: expect.objectContaining({ message: 'db down' }),
    });
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture('warn');
    logger.log('chatty');
    logger.debug('chattier');
    logger.error('kept');
    expect(lines().map((l) => l.msg)).toEqual(['kept']);
  });
});

describe('logRequest', () => {
  it('logs a request line with its id at a level that follows the status', () => {
    const { logger, lines } = capture();
    logRequest(logger, { id: 'req-1', method: 'POST', url: '/api/tasks' }, 202, 3.14159);
    logRequest(logger, { id: 'req-2', method: 'GET', url: '/api/tasks/x' }, 404, 1);
    logRequest(logger, { id: 'req-3', method: 'GET', url: '/api/tasks' }, 500, 1);
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 30,
        request_id: 'req-1',
        req: { method: 'POST', url: '/api/tasks' },
        res: { statusCode: 202 },
        responseTime: 3.1,
      }),
      expect.objectContaining({ level: 40, request_id: 'req-2' }),
      expect.objectContaining({ level: 50, request_id: 'req-3' }),
    ]);
  });

  it('leaves out health and metrics, and everything below the level', () => {
    const { logger, lines } = capture('warn');
    logRequest(logger, { id: 'a', method: 'GET', url: '/health/ready' }, 503, 1);
    logRequest(logger, { id: 'b', method: 'GET', url: '/metrics' }, 200, 1);
    logRequest(logger, { id: 'c', method: 'GET', url: '/api/agents' }, 200, 1);
    logRequest(logger, { id: 'd', method: 'GET', url: '/api/agents/x' }, 404, 1);
    expect(lines().map((l) => l.request_id)).toEqual(['d']);
  });
});
