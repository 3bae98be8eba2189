import { DEFAULT_MAX_INPUT_DEPTH, findInputProblem } from './input-inspection';
import { TaskResultMessage } from '@app/contracts';

export interface ResultLimits {
  /** TASK_RESULT_MAX_BYTES */
  resultMaxBytes: number;
  /** TASK_ERROR_MAX_CHARS */
  errorMaxChars: number;
}

// eslint-disable-next-line no-control-regex -- NUL is exactly what is replaced
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const clean = (text: string): string => text.replace(UNSTORABLE, '\uFFFD');

/**
 * What an agent (a host, or the orchestrator's bridge for a remote agent) reports must be storable and bounded, or the orchestrator refuses the report and the task waits
 * for its deadline. Model text with NUL or unpaired surrogates is repaired (U+FFFD); an error is cut to
 * TASK_ERROR_MAX_CHARS; a result too large, too deep or not serializable turns the outcome into a failure that
 * says why.
 */
export function boundResult(message: TaskResultMessage, limits: ResultLimits): TaskResultMessage {
  const bounded: TaskResultMessage = { ...message };
  if (bounded.error !== undefined) bounded.error = clean(bounded.error).slice(0, limits.errorMaxChars);
  if (bounded.result === undefined) return bounded;
  let json: string;
  try {
    json = JSON.stringify(bounded.result, (_key, value: unknown) => (typeof value === 'string' ? clean(value) : value));
  } catch (err) {
    return failed(bounded, `result could not be serialized: ${(err as Error).message}`);
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.resultMaxBytes) {
    return failed(bounded, `result is ${bytes} bytes as JSON; at most ${limits.resultMaxBytes} are accepted`);
  }
  bounded.result = JSON.parse(json) as Record<string, unknown>;
  // The orchestrator checks the whole message, where the result sits one level down.
  const problem = findInputProblem(bounded.result, 'result', DEFAULT_MAX_INPUT_DEPTH - 1);
  return problem ? failed(bounded, `result not accepted: ${problem.message}`) : bounded;
}

function failed(message: TaskResultMessage, error: string): TaskResultMessage {
  const { result: _dropped, ...rest } = message;
  return { ...rest, status: 'failed', error };
}
