import type { ModelConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { AnthropicProvider } from './anthropic.provider';
import { ModelProvider } from './model-provider';
import { OpenAiProvider } from './openai.provider';
import { ScriptedProvider } from './scripted.provider';
import { TracedModelProvider } from './traced-provider';
import { MeteredModelProvider } from '../pricing/metered-provider';
import { PriceTable } from '../pricing/price-table';

/** Builds the provider MODEL_PROVIDER names; the scripted one announces itself so nobody mistakes it for a model. */
export function createModelProvider(
  config: ModelConfig,
  logger: Pick<Logger, 'log' | 'warn'> = new Logger('ModelProvider'),
  extras: {
    /** SCRIPTED_RPM: the scripted provider's simulated limit (see ScriptedProvider). */
    scriptedAdmit?: () => Promise<number>;
    /** Wraps the traced provider (the agent host's shared model limits), inside the budget check. */
    limit?: (provider: ModelProvider) => ModelProvider;
  } = {},
): ModelProvider {
  // Priced and held to the task's budget; a GenAI span per call when tracing is on (a pass-through when off).
  const traced = new TracedModelProvider(createBareProvider(config, logger, extras.scriptedAdmit), config.name);
  return new MeteredModelProvider(extras.limit ? extras.limit(traced) : traced, new PriceTable(config.prices ?? []));
}

function createBareProvider(
  config: ModelConfig,
  logger: Pick<Logger, 'log' | 'warn'>,
  scriptedAdmit?: () => Promise<number>,
): ModelProvider {
  const common = {
    model: config.name,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    maxOutputTokens: config.maxOutputTokens,
  };
  switch (config.provider) {
    case 'openai':
      logger.log(`model provider: openai, model ${config.name}${config.baseUrl ? ` at ${config.baseUrl}` : ''}`);
      return new OpenAiProvider({ ...common, apiKey: config.apiKey });
    case 'anthropic':
      if (config.apiKey === undefined)
        throw new Error('MODEL_API_KEY (or ANTHROPIC_API_KEY) is required for the anthropic provider');
      logger.log(`model provider: anthropic, model ${config.name}${config.baseUrl ? ` at ${config.baseUrl}` : ''}`);
      return new AnthropicProvider({ ...common, apiKey: config.apiKey });
    case 'scripted':
      logger.warn(
        `model provider: scripted${config.providerDefaulted ? ' (the default: MODEL_PROVIDER is not set)' : ''} — ` +
          `deterministic offline outputs marked model "scripted", not a real model; latency ${config.scriptedLatencyMs} ms per call`,
      );
      return new ScriptedProvider({
        latencyMs: config.scriptedLatencyMs,
        admit: scriptedAdmit,
        callLog: config.scriptedCallLog,
      });
  }
}
