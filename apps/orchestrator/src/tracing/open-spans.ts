import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Attributes, Span } from '@opentelemetry/api';
import { contextFromTraceparent, SpanStatusCode, tracer, traceparentOf, tracingEnabled } from '@app/observability';

/** Spans kept open at most: a run or step whose end this process never sees is ended when pushed out. */
const MAX_OPEN = 10_000;

/**
 * Spans that outlive the call that starts them: a workflow run (start → end) and each workflow step (its task
 * created → its outcome). Their traceparent is stored with the run and the step's task, so every hop of the step
 * (dispatch, host, model calls, result) hangs below it. In memory: an end seen by another replica or after a
 * restart leaves the span to be ended when pushed out or at shutdown, the children are kept either way.
 */
@Injectable()
export class OpenSpans implements BeforeApplicationShutdown {
  private readonly open = new Map<string, Span>();

  /** Starts a span under `parentTraceparent` and returns its traceparent (null when tracing is off). */
  start(key: string, name: string, parentTraceparent: string | null, attributes: Attributes): string | null {
    if (!tracingEnabled()) return null;
    const span = tracer().startSpan(name, { attributes }, contextFromTraceparent(parentTraceparent));
    this.open.set(key, span);
    if (this.open.size > MAX_OPEN) {
      const [oldest] = this.open.keys();
      this.end(oldest);
    }
    return traceparentOf(span) ?? null;
  }

  end(key: string, outcome?: { status: string; error?: string | null }): void {
    const span = this.open.get(key);
    if (span === undefined) return;
    this.open.delete(key);
    if (outcome) {
      span.setAttribute('expert_agents.status', outcome.status);
      if (outcome.status === 'failed')
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error ?? 'failed' });
    }
    span.end();
  }

  /** Before TracingFlush exports on shutdown. */
  beforeApplicationShutdown(): void {
    for (const key of [...this.open.keys()]) this.end(key);
  }
}
