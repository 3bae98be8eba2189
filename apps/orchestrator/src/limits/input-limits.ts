import { findInputProblem } from '@app/edge';
import { LimitsConfig } from '@app/config';
import { fieldError } from '../common/field-error';

/**
 * A task's or workflow run's `input` within TASK_INPUT_MAX_DEPTH and TASK_INPUT_MAX_BYTES, checked before it
 * joins a group commit: one oversized input is that caller's 400, never a failed batch (503) for everyone.
 */
export function assertInputWithinLimits(input: unknown, field: string, limits: LimitsConfig): void {
  if (input === undefined) return;
  const problem = findInputProblem(input, field, limits.taskInputMaxDepth);
  if (problem) throw fieldError(problem.field === field ? field : `${field}.${problem.field}`, problem.message);
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes > limits.taskInputMaxBytes)
    throw fieldError(field, `is ${bytes} bytes as JSON; at most ${limits.taskInputMaxBytes} are accepted`);
}
