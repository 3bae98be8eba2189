import { REVIEW_VERDICTS, ReviewVerdict } from '../../outputs/output-kinds';

/**
 * `input.scripted` on a task: how tests and workflows steer the scripted provider.
 * - `verdict`: the review verdict (approve | revise | reject); default approve.
 * - `verdict_sequence`: verdicts indexed by `input.revision` (0-based), else by attempt - 1; the last repeats.
 * - `invalid_json_once`: the first call replies with broken JSON, the repair call with valid JSON.
 * - `invalid_json`: every call replies with broken JSON (the task fails after its repair attempt).
 * - `invalid_output`: valid JSON that fails the output kind's validator.
 * - `latency_ms`: overrides SCRIPTED_LATENCY_MS for this task.
 * - `fail`: the call throws a provider error with this message.
 * - `answer`, `confidence` (on a consult payload's `scripted`): the consultation reply.
 */
export interface ScriptedSteering {
  verdict?: ReviewVerdict;
  verdict_sequence?: ReviewVerdict[];
  invalid_json_once?: boolean;
  invalid_json?: boolean;
  invalid_output?: boolean;
  latency_ms?: number;
  fail?: string;
  answer?: string;
  confidence?: number;
}

export function readSteering(value: unknown): ScriptedSteering {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const v = value as Record<string, unknown>;
  const verdict = (x: unknown): x is ReviewVerdict =>
    typeof x === 'string' && (REVIEW_VERDICTS as readonly string[]).includes(x);
  return {
    verdict: verdict(v.verdict) ? v.verdict : undefined,
    verdict_sequence: Array.isArray(v.verdict_sequence) ? v.verdict_sequence.filter(verdict) : undefined,
    invalid_json_once: v.invalid_json_once === true,
    invalid_json: v.invalid_json === true,
    invalid_output: v.invalid_output === true,
    latency_ms: typeof v.latency_ms === 'number' && v.latency_ms >= 0 ? v.latency_ms : undefined,
    fail: typeof v.fail === 'string' ? v.fail : undefined,
    answer: typeof v.answer === 'string' ? v.answer : undefined,
    confidence: typeof v.confidence === 'number' ? v.confidence : undefined,
  };
}
