import { Logger } from '@nestjs/common';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ModelProvider, ModelRequest, ModelResponse } from './model-provider';
import {
  CallDescription,
  rejectsStructuredOutput,
  SdkErrorClasses,
  timeoutAwareFetch,
  toModelError,
} from './sdk-errors';

const SDK: SdkErrorClasses = { APIError, APIUserAbortError, APIConnectionTimeoutError, APIConnectionError };

export interface OpenAiProviderOptions {
  model: string;
  apiKey?: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  maxOutputTokens: number;
}

/**
 * Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp, LM Studio) through the
 * official SDK, which owns retries with backoff (429/5xx/timeouts, honouring retry-after).
 */
export class OpenAiProvider implements ModelProvider {
  readonly name = 'openai';
  private readonly client: OpenAI;
  private readonly logger = new Logger(OpenAiProvider.name);
  /** Cleared the first time the endpoint rejects json_schema; later calls use json_object. */
  private jsonSchemaSupported = true;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.client = new OpenAI({
      // Self-hosted endpoints need no key, but the SDK insists on one.
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: timeoutAwareFetch,
    });
  }

  async complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
    const call: CallDescription = { provider: 'openai', ...this.options };
    try {
      return await this.create(request, this.jsonSchemaSupported, options.signal);
    } catch (error) {
      if (this.jsonSchemaSupported && rejectsStructuredOutput(error, SDK, /response_format|json_schema/i)) {
        this.jsonSchemaSupported = false;
        this.logger.warn(`${this.options.model} rejected response_format json_schema; falling back to json_object`);
        try {
          return await this.create(request, false, options.signal);
        } catch (retryError) {
          throw toModelError(retryError, SDK, call);
        }
      }
      throw toModelError(error, SDK, call);
    }
  }

  private async create(request: ModelRequest, jsonSchema: boolean, signal?: AbortSignal): Promise<ModelResponse> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.options.model,
      messages: [{ role: 'system', content: request.system }, ...request.messages],
      max_completion_tokens: this.options.maxOutputTokens,
      response_format: jsonSchema
        ? { type: 'json_schema', json_schema: { name: request.schema_name, schema: request.schema, strict: false } }
        : { type: 'json_object' },
    };
    const completion = await this.client.chat.completions.create(body, { signal });
    return {
      text: completion.choices[0]?.message?.content ?? '',
      model: completion.model || this.options.model,
      usage: {
        input_tokens: completion.usage?.prompt_tokens ?? 0,
        output_tokens: completion.usage?.completion_tokens ?? 0,
        ...(completion.usage?.prompt_tokens_details?.cached_tokens
          ? { cached_input_tokens: completion.usage.prompt_tokens_details.cached_tokens }
          : {}),
      },
      finish_reason: completion.choices[0]?.finish_reason ?? undefined,
    };
  }
}
