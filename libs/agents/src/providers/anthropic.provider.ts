import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { Logger } from '@nestjs/common';
import { ModelProvider, ModelRequest, ModelResponse } from './model-provider';
import {
  CallDescription,
  rejectsStructuredOutput,
  SdkErrorClasses,
  timeoutAwareFetch,
  toModelError,
} from './sdk-errors';

const SDK: SdkErrorClasses = { APIError, APIUserAbortError, APIConnectionTimeoutError, APIConnectionError };

export interface AnthropicProviderOptions {
  model: string;
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  maxOutputTokens: number;
}

/** Anthropic Messages API through the official SDK (retries with backoff on 429/5xx/timeouts). */
export class AnthropicProvider implements ModelProvider {
  readonly name = 'anthropic';
  private readonly client: Anthropic;
  private readonly logger = new Logger(AnthropicProvider.name);
  /** Cleared the first time the endpoint rejects output_config.format; later calls rely on the prompt. */
  private structuredOutputSupported = true;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: timeoutAwareFetch,
    });
  }

  async complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
    const call: CallDescription = { provider: 'anthropic', ...this.options };
    try {
      return await this.create(request, this.structuredOutputSupported, options.signal);
    } catch (error) {
      if (
        this.structuredOutputSupported &&
        rejectsStructuredOutput(error, SDK, /output_config|output_format|json_schema/i)
      ) {
        this.structuredOutputSupported = false;
        this.logger.warn(`${this.options.model} rejected output_config.format; relying on the prompt for JSON`);
        try {
          return await this.create(request, false, options.signal);
        } catch (retryError) {
          throw toModelError(retryError, SDK, call);
        }
      }
      throw toModelError(error, SDK, call);
    }
  }

  private async create(request: ModelRequest, structured: boolean, signal?: AbortSignal): Promise<ModelResponse> {
    const body: MessageCreateParamsNonStreaming = {
      model: this.options.model,
      max_tokens: this.options.maxOutputTokens,
      system: request.system,
      messages: request.messages,
      ...(structured ? { output_config: { format: { type: 'json_schema', schema: request.schema } } } : {}),
    };
    const message = await this.client.messages.create(body, { signal });
    const text = message.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text)
      .join('');
    return {
      text,
      model: message.model || this.options.model,
      usage: {
        input_tokens: message.usage.input_tokens,
        output_tokens: message.usage.output_tokens,
        ...(message.usage.cache_read_input_tokens
          ? { cached_input_tokens: message.usage.cache_read_input_tokens }
          : {}),
      },
      finish_reason: message.stop_reason ?? undefined,
    };
  }
}
