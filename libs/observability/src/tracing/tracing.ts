import {
  Context,
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanOptions,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '@app/config';

export { SpanKind, SpanStatusCode };
export type { Span };

const TRACER_NAME = 'expert-agents';

/** Module state: one provider per process (OpenTelemetry's API is process-global by design). */
let provider: TracerProvider | undefined;
let captureContent = false;
let tracerInstance: Tracer = trace.getTracer(TRACER_NAME);

/** A span that records nothing: what `inSpan` hands to callers when tracing is off. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Starts tracing for this process when the configuration enables it: a tracer provider with a batching OTLP/HTTP
 * (JSON) exporter, the W3C propagator and an AsyncLocalStorage context manager. When off, nothing is registered:
 * the API's no-op tracer stays in place and no async hooks are enabled (they cost every promise, decision 0003).
 */
export function startTracing(config: TracingConfig, defaultServiceName: string): boolean {
  if (!config.enabled || provider) return provider !== undefined;
  const exporter =
    config.exporter === 'console'
      ? new ConsoleSpanExporter()
      : // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT itself.
        new OTLPTraceExporter();
  const processors: SpanProcessor[] = [
    new BatchSpanProcessor({
      exporter,
      scheduledDelayMillis: config.exportDelayMs,
      maxQueueSize: 8192,
      maxExportBatchSize: 1024,
    }),
  ];
  provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName ?? defaultServiceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  tracerInstance = trace.getTracer(TRACER_NAME);
  captureContent = config.captureContent;
  return true;
}

/** Exports what is buffered (before the process exits). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush().catch(() => undefined);
}

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/** Whether prompts and outputs may be put on model-call spans (off by default: they may hold personal data). */
export function captureModelContent(): boolean {
  return provider !== undefined && captureContent;
}

export function tracer(): Tracer {
  return tracerInstance;
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles (error status and exception recorded on a throw).
 * `parent` defaults to the active context; `contextFromTraceparent` builds one from a stored traceparent.
 * With tracing off this is a plain call: no span object, no context switch.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T> | T,
  parent?: Context,
): Promise<T> {
  if (provider === undefined) return fn(NOOP_SPAN);
  const span = tracerInstance.startSpan(name, options, parent ?? context.active());
  try {
    return await context.with(trace.setSpan(parent ?? context.active(), span), () => fn(span));
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function markFailed(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The W3C traceparent of a span (the active one by default); undefined when tracing is off or nothing is active. */
export function traceparentOf(span: Span | undefined = trace.getActiveSpan()): string | undefined {
  if (span === undefined) return undefined;
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString(16)}`;
}

/** A parent context from a stored or received traceparent (ROOT when absent or tracing is off). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (provider === undefined || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The trace id inside a traceparent (`GET /api/tasks/{id}` shows it). */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  return traceparent ? (traceparent.split('-')[1] ?? null) : null;
}

/** Adds `traceparent` (of the active span) to outgoing HTTP headers; a no-op when tracing is off. */
export function injectTraceHeaders<T extends Record<string, string>>(headers: T): T {
  if (provider !== undefined) propagation.inject(context.active(), headers);
  return headers;
}

/** trace_id/span_id of the active span for log lines (pino mixin); empty when there is none. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
