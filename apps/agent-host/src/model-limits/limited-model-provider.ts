import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { ModelProvider, ModelProviderError, ModelRequest, ModelResponse } from '@app/agents';
import { SlidingWindow, WindowLimits } from './sliding-window';

export interface LimiterEvents {
  /** A task's model call starts waiting (reported to the orchestrator as `waiting_for_model`). */
  waiting(request: ModelRequest, waitMs: number): void;
  /** A call waited for the shared limits (seconds), then went ahead or gave up. */
  waited(seconds: number, outcome: 'admitted' | 'gave_up'): void;
  /** The provider answered 429 anyway; its retry-after now holds every host back. */
  throttled(retryAfterMs: number): void;
}

const POLL_MAX_MS = 1_000;
const RETRIES_AFTER_429 = 3;

/** Rough input size before the call (4 characters a token); corrected with the real usage afterwards. */
const estimateTokens = (r: ModelRequest) =>
  Math.ceil((r.system.length + r.messages.reduce((n, m) => n + m.content.length, 0)) / 4);

/**
 * Holds model calls to the limits shared by all agent hosts (RPM, TPM, concurrent calls): a call that would exceed
 * one waits, bounded by maxWaitMs, instead of reaching the provider. A 429 that still comes back blocks the model for
 * its retry-after on every host, and the call queues again.
 */
export class LimitedModelProvider implements ModelProvider {
  readonly name: string;
  /** Task ids whose model call is waiting for the limits now (GET /status shows them). */
  readonly waiting = new Set<string>();

  constructor(
    private readonly inner: ModelProvider,
    private readonly window: SlidingWindow,
    private readonly limits: WindowLimits & { maxWaitMs: number; leaseMs: number },
    private readonly events: LimiterEvents,
  ) {
    this.name = inner.name;
  }

  async complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
    for (let attempt = 0; ; attempt++) {
      const id = randomUUID();
      const estimate = estimateTokens(request);
      await this.acquire(request, estimate, id, options.signal);
      try {
        const response = await this.inner.complete(request, options);
        const actual = response.usage.input_tokens + response.usage.output_tokens;
        if (this.limits.tpm > 0) await this.window.correctTokens(id, actual - estimate).catch(() => undefined);
        return response;
      } catch (error) {
        const retryAfter =
          error instanceof ModelProviderError && error.kind === 'rate_limited' ? error.retryAfterMs : 0;
        if (!retryAfter || attempt >= RETRIES_AFTER_429) throw error;
        this.events.throttled(retryAfter);
        await this.window.block(retryAfter);
      } finally {
        if (this.limits.maxConcurrent > 0) await this.window.release(id).catch(() => undefined);
      }
    }
  }

  private async acquire(request: ModelRequest, tokens: number, id: string, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    let wait = await this.window.tryAcquire(this.limits, tokens, id, this.limits.leaseMs);
    if (wait === 0) return;
    const taskId = request.task?.task_id;
    if (taskId) this.waiting.add(taskId);
    // On the agent's span (the model-call span starts once admitted); a no-op when tracing is off.
    trace.getActiveSpan()?.addEvent('waiting_for_model', { 'expert_agents.wait_ms': wait });
    this.events.waiting(request, wait);
    try {
      while (wait > 0) {
        const elapsed = performance.now() - started;
        if (elapsed + wait > this.limits.maxWaitMs) {
          this.events.waited(elapsed / 1000, 'gave_up');
          throw new ModelProviderError(
            'rate_limited',
            `model limits (shared by all agent hosts) would not admit the call within ${this.limits.maxWaitMs} ms`,
          );
        }
        try {
          await sleep(Math.min(wait, POLL_MAX_MS), undefined, { signal });
        } catch {
          throw new ModelProviderError('aborted', 'model call was aborted while waiting for the model limits');
        }
        wait = await this.window.tryAcquire(this.limits, tokens, id, this.limits.leaseMs);
      }
      this.events.waited((performance.now() - started) / 1000, 'admitted');
    } finally {
      if (taskId) this.waiting.delete(taskId);
    }
  }
}
