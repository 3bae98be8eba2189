import { context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tracer, tracingEnabled } from './tracing';

/** Liveness, metrics and Swagger are polled constantly: tracing them would bury the traces that matter. */
const UNTRACED = /^\/(metrics|health|docs)(\/|$|\?)/;

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A SERVER span per HTTP request, child of the caller's `traceparent` header (apps call each other with one). The
 * span is made active for the route handler from `preHandler` (after the body is read, since the body stream's
 * callbacks would lose the context) and ended on `onResponse`. Registers nothing when tracing is off.
 */
export function registerHttpTracing(fastify: FastifyInstance): void {
  if (!tracingEnabled()) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (UNTRACED.test(request.url)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url;
    const span = tracer().startSpan(
      `${request.method} ${route ?? 'unmatched'}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?')[0],
          ...(route ? { 'http.route': route } : {}),
        },
      },
      parent,
    );
    spans.set(request, span);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span === undefined) return done();
    // Fastify calls the handler synchronously from `done`, so it (and every promise it starts) runs in this context.
    context.with(trace.setSpan(context.active(), span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span !== undefined) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}
