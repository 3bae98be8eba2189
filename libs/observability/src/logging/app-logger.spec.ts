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

describe('AppLogger formats', () => {
  function text(format: 'json' | 'pretty', level = 'info'): { logger: AppLogger; out: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return { logger: new AppLogger('orchestrator', level, stream, format), out: () => chunks.join('') };
  }

  it('writes one readable line per record when pretty: time, level, service, context, message', () => {
    const { logger, out } = text('pretty');
    logger.warn('slow dispatch', 'Dispatcher');
    expect(out()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN.*: orchestrator \[Dispatcher\] slow dispatch\n$/);
    expect(() => JSON.parse(out()) as unknown).toThrow();
  });

  it('writes a request as one line: method, path, status, time; other fields stay on the same line', () => {
    const { logger, out } = text('pretty');
    logRequest(logger, { id: 'req-1', method: 'POST', url: '/api/tasks' }, 202, 3.14159);
    logger.log({ task_id: 't1' }, 'dispatched', 'Dispatcher');
    const lines = out().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INFO.*: orchestrator POST \/api\/tasks 202 3\.1 ms \{"request_id":"req-1"\}$/);
    expect(lines[1]).toMatch(/orchestrator \[Dispatcher\] dispatched \{"task_id":"t1"\}$/);
  });

  it("demotes Nest's start-up lines (modules, routes) to debug in either format", () => {
    const { logger, out } = text('json');
    logger.log('Mapped {/api/tasks, POST} route', 'RouterExplorer');
    logger.log('TasksModule dependencies initialized', 'InstanceLoader');
    logger.log('listening', 'Bootstrap');
    expect(
      out()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['listening']);
    const verbose = text('json', 'debug');
    verbose.logger.log('Mapped {/api/tasks, POST} route', 'RouterExplorer');
    expect(JSON.parse(verbose.out())).toMatchObject({ level: 20, context: 'RouterExplorer' });
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

  it("logs the apps' routine registry traffic at debug when it succeeds, at warn when refused", () => {
    const { logger, lines } = capture();
    for (const url of [
      '/api/agents/QA-001/heartbeat',
      '/api/agents/QA-001/load',
      '/api/agents/register',
      '/api/agents/discover?capability=cardiology',
      '/api/agents/discover/qa_engineer?max_load=1',
    ]) {
      logRequest(logger, { id: url, method: 'POST', url }, 200, 1);
    }
    logRequest(logger, { id: 'refused', method: 'POST', url: '/api/agents/QA-001/heartbeat' }, 404, 1);
    logRequest(logger, { id: 'status', method: 'POST', url: '/api/agents/QA-001/status' }, 200, 1);
    logRequest(logger, { id: 'list', method: 'GET', url: '/api/agents?role=qa_engineer' }, 200, 1);
    expect(lines().map((l) => [l.request_id, l.level])).toEqual([
      ['refused', 40],
      ['status', 30],
      ['list', 30],
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
