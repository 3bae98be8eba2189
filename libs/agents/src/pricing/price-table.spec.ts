import { DEFAULT_MODEL_PRICES, PriceTable } from './price-table';

describe('PriceTable', () => {
  const table = new PriceTable();

  it('prices input, output and cached input per million tokens, exactly', () => {
    // gpt-4o: 2.5 in, 10 out, 1.25 cached → 800 fresh in + 200 cached + 500 out
    expect(
      table.cost('openai', 'gpt-4o', { input_tokens: 1000, output_tokens: 500, cached_input_tokens: 200 }),
    ).toEqual({ usd: (800 * 2.5 + 200 * 1.25 + 500 * 10) / 1e6, priced: true });
    expect(table.cost('anthropic', 'claude-sonnet-4', { input_tokens: 1_000_000, output_tokens: 1_000_000 })).toEqual({
      usd: 18,
      priced: true,
    });
    expect(table.cost('scripted', 'scripted', { input_tokens: 3, output_tokens: 7 })).toEqual({
      usd: 0.000017,
      priced: true,
    });
  });

  it('falls back from a dated model name to the longest listed prefix of the same provider', () => {
    expect(table.find('openai', 'gpt-4o-mini-2024-07-18')?.model).toBe('gpt-4o-mini');
    expect(table.find('openai', 'gpt-4o-2024-08-06')?.model).toBe('gpt-4o');
    expect(table.find('anthropic', 'gpt-4o')).toBeUndefined();
  });

  it('an unknown model costs 0 and says it is unpriced', () => {
    expect(table.cost('openai', 'my-finetune', { input_tokens: 10, output_tokens: 10 })).toEqual({
      usd: 0,
      priced: false,
    });
  });

  it('overrides replace a built-in price and add new models', () => {
    const custom = new PriceTable([
      { provider: 'openai', model: 'gpt-4o', input: 1, output: 1 },
      { provider: 'openai', model: 'my-finetune', input: 4, output: 8 },
    ]);
    expect(custom.cost('openai', 'gpt-4o', { input_tokens: 10, output_tokens: 10, cached_input_tokens: 5 }).usd).toBe(
      20 / 1e6,
    );
    expect(custom.cost('openai', 'my-finetune', { input_tokens: 1000, output_tokens: 1000 }).usd).toBe(0.012);
    expect(DEFAULT_MODEL_PRICES.find((p) => p.model === 'gpt-4o')?.input).toBe(2.5);
  });

  it('sums of many calls stay exact to the billionth of a dollar', () => {
    let total = 0;
    for (let i = 0; i < 1000; i++)
      total += table.cost('openai', 'gpt-4o-mini', { input_tokens: 7, output_tokens: 3 }).usd;
    expect(Math.round(total * 1e9) / 1e9).toBe(0.00285);
  });
});
