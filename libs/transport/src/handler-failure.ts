import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

/** Nest's default RPC filter turns every non-RpcException into exactly this. */
const UNKNOWN_ERROR_MESSAGE = 'Internal server error';

const DELIBERATE_DOMAIN_KINDS = new Set(['invalid', 'not_found', 'conflict']);

/**
 * A refusal that says when to come back (a full backlog or queue: `retry_after_seconds`) is answered, not retried:
 * redelivering it would add load where there is too much, then dead-letter a request the caller could have retried.
 */
function isBackOff(err: Error): boolean {
  const d = err as { kind?: unknown; details?: { retry_after_seconds?: unknown } };
  return d.kind === 'unavailable' && typeof d.details?.retry_after_seconds === 'number';
}

export interface HandlerFailure {
  /** False for a deliberate answer (4xx-like): retrying gives the same answer, so it is replied, not retried. */
  retryable: boolean;
  /** What a requester receives as `err`. */
  reply: unknown;
  /** One line for the dead-letter entry and logs. */
  description: string;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/** Body sent to a requester for a deliberate rejection (also used by RedisStreamsExceptionFilter). */
export function rejectionBody(err: unknown): Record<string, unknown> | null {
  if (err instanceof RpcException) {
    const e = err.getError();
    return typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : { status: 'error', message: e };
  }
  if (err instanceof HttpException && err.getStatus() < 500) {
    const response = err.getResponse();
    const extra = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    return { ...extra, status: 'error', statusCode: err.getStatus(), message: extra.message ?? err.message };
  }
  if (
    err instanceof Error &&
    (DELIBERATE_DOMAIN_KINDS.has(String((err as { kind?: unknown }).kind)) || isBackOff(err))
  ) {
    const d = err as Error & { kind: string; code?: string; details?: unknown };
    return { status: 'error', kind: d.kind, code: d.code, message: d.message, details: d.details };
  }
  return null;
}

/**
 * Decide retry vs answer. `recorded` is the original exception when RedisStreamsExceptionFilter captured it;
 * `observed` is what the handler's observable errored with (after Nest's filter).
 */
export function classifyFailure(observed: unknown, recorded?: { error: unknown }): HandlerFailure {
  const raw = recorded ? recorded.error : observed;
  const rejection = rejectionBody(raw);
  if (rejection) return { retryable: false, reply: rejection, description: describe(raw) };
  if (!recorded && typeof observed === 'object' && observed !== null && !(observed instanceof Error)) {
    const o = observed as { status?: unknown; message?: unknown };
    // An RpcException already mapped by Nest's filter arrives as a plain object; only the generic one is a crash.
    if (!(o.status === 'error' && o.message === UNKNOWN_ERROR_MESSAGE)) {
      return { retryable: false, reply: observed, description: describe(observed) };
    }
  }
  const description =
    recorded || raw instanceof Error
      ? describe(raw)
      : `${describe(raw)} (the original error was logged by Nest; RedisStreamsExceptionFilter keeps it here)`;
  return { retryable: true, reply: { status: 'error', message: UNKNOWN_ERROR_MESSAGE }, description };
}
