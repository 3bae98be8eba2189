import { ERROR_INFO_TYPE } from '@a2a-js/sdk/errors';
import { DomainException, isDependencyOutage } from '@app/edge';

/** A refusal to come back later: a full backlog or queue, or PostgreSQL/Redis away. */
export interface Unavailable {
  code: string;
  message: string;
  retryAfterSeconds: number;
}

/**
 * A2A has no error of its own for "overloaded, retry later". Both bindings answer it the way HTTP and
 * google.rpc.Status (the HTTP+JSON binding's error body) say it: HTTP 503 with Retry-After, status UNAVAILABLE,
 * an ErrorInfo naming our code; JSON-RPC keeps its internal-error code (-32603) with the same ErrorInfo. Never a
 * 500: the request was fine, the caller only has to wait.
 */
export function unavailableOf(error: unknown): Unavailable | undefined {
  if (error instanceof DomainException && error.kind === 'unavailable') {
    const after = error.details?.retry_after_seconds;
    return { code: error.code, message: error.message, retryAfterSeconds: typeof after === 'number' ? after : 5 };
  }
  if (isDependencyOutage(error))
    return {
      code: 'DEPENDENCY_UNAVAILABLE',
      message: 'a dependency (PostgreSQL or Redis) is unavailable; retry later',
      retryAfterSeconds: 5,
    };
  return undefined;
}

export function errorInfo(u: Unavailable) {
  return {
    '@type': ERROR_INFO_TYPE,
    reason: u.code,
    domain: 'expert-agents',
    metadata: { retry_after_seconds: String(u.retryAfterSeconds) },
  };
}

export function jsonRpcUnavailable(id: string | number | null, u: Unavailable) {
  return { jsonrpc: '2.0', id, error: { code: -32603, message: u.message, data: [errorInfo(u)] } };
}

export function restUnavailable(u: Unavailable) {
  return { error: { code: 503, status: 'UNAVAILABLE', message: u.message, details: [errorInfo(u)] } };
}
