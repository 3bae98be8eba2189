import { captureModelContent, inSpan, SpanKind, tracingEnabled } from '@app/observability';
import { ModelProvider, ModelProviderError, ModelRequest, ModelResponse } from './model-provider';

/**
 * A CLIENT span per model call with the OpenTelemetry GenAI semantic conventions (operation, system, request and
 * response model, token usage, finish reason). Prompts and outputs go on the span only when
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. With tracing off the call goes straight through.
 */
export class TracedModelProvider implements ModelProvider {
  readonly name: string;

  constructor(
    private readonly inner: ModelProvider,
    private readonly requestModel: string,
  ) {
    this.name = inner.name;
  }

  complete(request: ModelRequest, options?: { signal?: AbortSignal }): Promise<ModelResponse> {
    if (!tracingEnabled()) return this.inner.complete(request, options);
    return inSpan(
      `chat ${this.requestModel}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': this.inner.name,
          'gen_ai.provider.name': this.inner.name,
          'gen_ai.request.model': this.requestModel,
          'gen_ai.agent.id': request.agent.agent_id,
          'expert_agents.model_call.purpose': request.purpose,
          ...(request.task ? { 'expert_agents.task_id': request.task.task_id } : {}),
        },
      },
      async (span) => {
        if (captureModelContent()) {
          span.setAttribute('gen_ai.system_instructions', request.system);
          span.setAttribute('gen_ai.input.messages', JSON.stringify(request.messages));
        }
        try {
          const response = await this.inner.complete(request, options);
          span.setAttributes({
            'gen_ai.response.model': response.model,
            'gen_ai.usage.input_tokens': response.usage.input_tokens,
            'gen_ai.usage.output_tokens': response.usage.output_tokens,
            ...(response.usage.cached_input_tokens !== undefined
              ? { 'gen_ai.usage.cache_read.input_tokens': response.usage.cached_input_tokens }
              : {}),
            ...(response.finish_reason ? { 'gen_ai.response.finish_reasons': [response.finish_reason] } : {}),
          });
          if (captureModelContent()) span.setAttribute('gen_ai.output.messages', response.text);
          return response;
        } catch (error) {
          if (error instanceof ModelProviderError) span.setAttribute('error.type', error.kind);
          throw error;
        }
      },
    );
  }
}
