import { roundUsd } from '@app/agents';

/** Token and cost totals of a task, a run, an agent: summed from the attempts' recorded usage. */
export interface UsageTotals {
  usage: { input_tokens: number; output_tokens: number; cached_input_tokens: number };
  cost: { usd: number };
}

export interface UsageRow {
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  cached_input_tokens: number | string | null;
  cost_usd: number | string | null;
}

/** SQL select list summing task_attempts (alias `a`) into a UsageRow. */
export const USAGE_SUMS = `COALESCE(SUM(a.input_tokens), 0)::bigint AS input_tokens, COALESCE(SUM(a.output_tokens), 0)::bigint AS output_tokens,
  COALESCE(SUM(a.cached_input_tokens), 0)::bigint AS cached_input_tokens, COALESCE(SUM(a.cost_usd), 0) AS cost_usd`;

/** PostgreSQL returns bigint and numeric as strings. */
export function toTotals(rows: readonly UsageRow[]): UsageTotals {
  let input = 0;
  let output = 0;
  let cached = 0;
  let usd = 0;
  for (const r of rows) {
    input += Number(r.input_tokens ?? 0);
    output += Number(r.output_tokens ?? 0);
    cached += Number(r.cached_input_tokens ?? 0);
    usd += Number(r.cost_usd ?? 0);
  }
  return {
    usage: { input_tokens: input, output_tokens: output, cached_input_tokens: cached },
    cost: { usd: roundUsd(usd) },
  };
}
