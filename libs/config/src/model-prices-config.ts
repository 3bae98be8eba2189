import { readFileSync } from 'node:fs';
import type { EnvRules } from './env-schema';

/** USD per million tokens of one provider's model; `cached_input` where the provider bills prompt-cache hits lower. */
export interface ModelPrice {
  provider: string;
  model: string;
  input: number;
  output: number;
  cached_input?: number;
}

const PRICE_FIELDS = new Set(['provider', 'model', 'input', 'output', 'cached_input']);
const isPrice = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * MODEL_PRICES_FILE: JSON `{"prices": [{"provider", "model", "input", "output", "cached_input"?}]}` (USD per
 * million tokens) laid over the built-in table. Read and checked at start-up; a bad entry names its index.
 */
export function modelPricesConfig(file: string | undefined, rules: EnvRules): ModelPrice[] {
  if (file === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    rules.fail(`MODEL_PRICES_FILE ${file} could not be read as JSON: ${(error as Error).message}`);
    return [];
  }
  const list = (parsed as { prices?: unknown } | null)?.prices;
  if (!Array.isArray(list)) {
    rules.fail(`MODEL_PRICES_FILE ${file} must hold {"prices": [...]}`);
    return [];
  }
  const prices: ModelPrice[] = [];
  list.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown>;
    const problem =
      entry === null || typeof entry !== 'object'
        ? 'must be an object'
        : Object.keys(e).find((k) => !PRICE_FIELDS.has(k))
          ? `unknown field "${Object.keys(e).find((k) => !PRICE_FIELDS.has(k))}"`
          : typeof e.provider !== 'string' || e.provider === ''
            ? 'provider must be a non-empty string'
            : typeof e.model !== 'string' || e.model === ''
              ? 'model must be a non-empty string'
              : !isPrice(e.input) || !isPrice(e.output)
                ? 'input and output must be USD per million tokens (numbers >= 0)'
                : e.cached_input !== undefined && !isPrice(e.cached_input)
                  ? 'cached_input must be a number >= 0'
                  : undefined;
    if (problem) rules.fail(`MODEL_PRICES_FILE prices[${i}]: ${problem}`);
    else prices.push(e as unknown as ModelPrice);
  });
  return prices;
}
