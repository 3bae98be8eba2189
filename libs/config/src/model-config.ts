import { MODEL_PROVIDERS, ModelConfig } from './app-config';
import { EnvOf, EnvRules, int, oneOf, secret, text, url } from './env-schema';
import { MODEL_LIMITS_ENV, modelLimitsConfig } from './model-limits-config';
import { modelPricesConfig } from './model-prices-config';

/** MODEL_*: the provider every agent of an agent host executes through. */
export const MODEL_ENV = {
  MODEL_PROVIDER: oneOf(
    '`openai` (any OpenAI-compatible endpoint), `anthropic`, or `scripted` (deterministic, offline).',
    MODEL_PROVIDERS,
    'scripted',
  ),
  MODEL_BASE_URL: url('An OpenAI-compatible endpoint (vLLM, Ollama, ...) or an Anthropic proxy.', ['http:', 'https:']),
  MODEL_NAME: text('The model; required by openai and anthropic (`scripted` for the scripted provider).'),
  MODEL_API_KEY: secret("The provider's key (else OPENAI_API_KEY / ANTHROPIC_API_KEY)."),
  OPENAI_API_KEY: secret('The key of MODEL_PROVIDER=openai when MODEL_API_KEY is unset.'),
  ANTHROPIC_API_KEY: secret('The key of MODEL_PROVIDER=anthropic when MODEL_API_KEY is unset.'),
  MODEL_TIMEOUT_MS: int('Time limit of one model call.', { minimum: 100, maximum: 600_000, default: 60_000 }),
  MODEL_MAX_RETRIES: int('Retries of a model call on 429/5xx, with backoff.', { minimum: 0, maximum: 10, default: 2 }),
  MODEL_MAX_OUTPUT_TOKENS: int('Reply budget per call (Anthropic requires one).', {
    minimum: 16,
    maximum: 200_000,
    default: 4096,
  }),
  SCRIPTED_LATENCY_MS: int('Simulated model time per scripted call.', { minimum: 0, maximum: 600_000, default: 0 }),
  SCRIPTED_CALL_LOG: text('A file the scripted provider appends a line to per model call.'),
  MODEL_PRICES_FILE: text('JSON {"prices": [...]} (USD per million tokens) laid over the built-in price table.'),
  ...MODEL_LIMITS_ENV,
} as const;

/** Real providers need a model name, and a key unless a self-hosted base URL is given. */
export function modelConfig(env: EnvOf<typeof MODEL_ENV>, rules: EnvRules): ModelConfig {
  const provider = env.MODEL_PROVIDER;
  const baseUrlSet = rules.isSet('MODEL_BASE_URL');
  const vendorKey =
    provider === 'openai' ? env.OPENAI_API_KEY : provider === 'anthropic' ? env.ANTHROPIC_API_KEY : undefined;
  const apiKey = env.MODEL_API_KEY ?? vendorKey;
  const name = provider === 'scripted' ? (env.MODEL_NAME ?? 'scripted') : env.MODEL_NAME;
  if (name === undefined) rules.fail(`MODEL_NAME is required when MODEL_PROVIDER=${provider}`);
  if (provider === 'anthropic' && apiKey === undefined)
    rules.fail('MODEL_API_KEY (or ANTHROPIC_API_KEY) is required when MODEL_PROVIDER=anthropic');
  if (provider === 'openai' && apiKey === undefined && !baseUrlSet) {
    rules.fail('MODEL_API_KEY (or OPENAI_API_KEY) is required when MODEL_PROVIDER=openai without MODEL_BASE_URL');
  }
  return {
    provider,
    providerDefaulted: !rules.isSet('MODEL_PROVIDER'),
    baseUrl: baseUrlSet ? (env.MODEL_BASE_URL ?? 'http://invalid') : undefined,
    name: name ?? provider,
    apiKey,
    timeoutMs: env.MODEL_TIMEOUT_MS,
    maxRetries: env.MODEL_MAX_RETRIES,
    maxOutputTokens: env.MODEL_MAX_OUTPUT_TOKENS,
    scriptedLatencyMs: env.SCRIPTED_LATENCY_MS,
    scriptedCallLog: env.SCRIPTED_CALL_LOG,
    prices: modelPricesConfig(env.MODEL_PRICES_FILE, rules),
    limits: modelLimitsConfig(env),
  };
}
