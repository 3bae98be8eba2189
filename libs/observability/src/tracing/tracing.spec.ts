import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AppLogger } from '../logging/app-logger';
import {
  contextFromTraceparent,
  inSpan,
  injectTraceHeaders,
  flushTracing,
  startTracing,
  traceIdOf,
  traceparentOf,
  tracingEnabled,
} from './tracing';

function logger(): { logger: AppLogger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: new AppLogger('svc', 'info', stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

// One process-wide provider: the "off" checks run before tracing is started, in this order.
describe('tracing', () => {
  it('off: no provider, spans are plain calls, nothing is injected or logged', async () => {
    expect(tracingEnabled()).toBe(false);
    const seen = await inSpan('x', {}, (span) => span.isRecording());
    expect(seen).toBe(false);
    expect(traceparentOf()).toBeUndefined();
    expect(injectTraceHeaders({})).toEqual({});
    expect(contextFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(context.active());
    const { logger: log, lines } = logger();
    log.log('hello');
    expect(lines()[0]).not.toHaveProperty('trace_id');
  });

  it('on: spans nest through async code, continue a traceparent, and log lines carry trace_id/span_id', async () => {
    startTracing(
      {
        enabled: true,
        exporter: 'console',
        sampleRatio: 1,
        exportDelayMs: 600_000,
        captureContent: false,
      },
      'spec',
    );
    expect(tracingEnabled()).toBe(true);
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { logger: log, lines } = logger();
    const ids = await inSpan(
      'outer',
      {},
      async (outer) => {
        await new Promise((r) => setTimeout(r, 5));
        return inSpan('inner', {}, (inner) => {
          log.log('inside');
          return { outer: outer.spanContext(), inner: inner.spanContext(), headers: injectTraceHeaders({}) };
        });
      },
      contextFromTraceparent(parent),
    );
    expect(ids.outer.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(ids.inner.traceId).toBe(ids.outer.traceId);
    expect(ids.headers).toEqual({ traceparent: `00-${ids.inner.traceId}-${ids.inner.spanId}-01` });
    expect(lines()[0]).toMatchObject({ msg: 'inside', trace_id: ids.inner.traceId, span_id: ids.inner.spanId });
    expect(traceIdOf(parent)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(trace.getActiveSpan()).toBeUndefined();
    await expect(inSpan('failing', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    // Exported before the test ends (the batch delay is 10 min: left alone, its timer would print after Jest is done).
    const dir = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    try {
      await flushTracing();
      const exported = dir.mock.calls.map(([span]) => span as { name: string; status: { code: number } });
      expect(exported.map((s) => s.name).sort()).toEqual(['failing', 'inner', 'outer']);
      expect(exported.find((s) => s.name === 'failing')?.status.code).toBe(2);
    } finally {
      dir.mockRestore();
    }
  });
});
