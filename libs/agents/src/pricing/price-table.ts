import type { ModelPrice } from '@app/config';
import type { TokenUsage } from '../providers/model-provider';

export type { ModelPrice };

/**
 * Built-in prices, USD per million tokens (list prices of the providers' public pricing pages; override or extend
 * with MODEL_PRICES_FILE). The scripted provider has a made-up price so cost accounting can be seen and tested
 * offline; a model not in the table costs 0 and says so (`priced: false`).
 */
export const DEFAULT_MODEL_PRICES: readonly ModelPrice[] = [
  { provider: 'openai', model: 'gpt-4o', input: 2.5, output: 10, cached_input: 1.25 },
  { provider: 'openai', model: 'gpt-4o-mini', input: 0.15, output: 0.6, cached_input: 0.075 },
  { provider: 'openai', model: 'gpt-4.1', input: 2, output: 8, cached_input: 0.5 },
  { provider: 'openai', model: 'gpt-4.1-mini', input: 0.4, output: 1.6, cached_input: 0.1 },
  { provider: 'openai', model: 'o3', input: 2, output: 8, cached_input: 0.5 },
  { provider: 'openai', model: 'o4-mini', input: 1.1, output: 4.4, cached_input: 0.275 },
  { provider: 'anthropic', model: 'claude-opus-4', input: 15, output: 75, cached_input: 1.5 },
  { provider: 'anthropic', model: 'claude-sonnet-4', input: 3, output: 15, cached_input: 0.3 },
  { provider: 'anthropic', model: 'claude-3-5-haiku', input: 0.8, output: 4, cached_input: 0.08 },
  { provider: 'scripted', model: 'scripted', input: 1, output: 2, cached_input: 0.5 },
];

export interface CallCost {
  usd: number;
  /** False when no price is known for the model (the cost is then 0, not a guess). */
  priced: boolean;
}

/** Prices by provider and model; a dated model name (`gpt-4o-2024-08-06`) falls back to its longest listed prefix. */
export class PriceTable {
  private readonly byKey = new Map<string, ModelPrice>();

  constructor(overrides: readonly ModelPrice[] = []) {
    for (const p of [...DEFAULT_MODEL_PRICES, ...overrides]) this.byKey.set(`${p.provider}/${p.model}`, p);
  }

  find(provider: string, model: string): ModelPrice | undefined {
    const exact = this.byKey.get(`${provider}/${model}`);
    if (exact) return exact;
    let best: ModelPrice | undefined;
    for (const p of this.byKey.values()) {
      if (p.provider === provider && model.startsWith(`${p.model}-`) && p.model.length > (best?.model.length ?? 0))
        best = p;
    }
    return best;
  }

  /** Cached input tokens (a part of input_tokens) are billed at the cached price when the model has one. */
  cost(provider: string, model: string, usage: TokenUsage): CallCost {
    const price = this.find(provider, model);
    if (!price) return { usd: 0, priced: false };
    const cached = Math.min(usage.cached_input_tokens ?? 0, usage.input_tokens);
    const cachedPrice = price.cached_input ?? price.input;
    const micro =
      (usage.input_tokens - cached) * price.input + cached * cachedPrice + usage.output_tokens * price.output;
    return { usd: roundUsd(micro / 1_000_000), priced: true };
  }
}

/** Costs are kept to a billionth of a dollar: enough for one token of the cheapest model, free of float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}
