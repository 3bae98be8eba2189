/**
 * What kind of failure a domain error is; the edge (HTTP filter, RPC filter) maps the kind to a
 * status. Features choose their own `code` strings (AGENT_NOT_FOUND, TASK_NOT_CANCELABLE, ...).
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unavailable' | 'timeout';

export class DomainException extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export const HTTP_STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  timeout: 504,
};
