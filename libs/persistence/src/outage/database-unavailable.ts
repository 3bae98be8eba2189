/** Socket-level failures of a connection that was refused, reset or never answered. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "the server is not serving right now", not "this statement is wrong": class 08 (connection
 * exception), shutdowns (57P01–57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What node-postgres says when a pool or client loses or cannot get its connection. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'terminating connection due to administrator command',
  'the database system is',
];

/**
 * TypeORM releases a query runner whose connection died (its own error listener) and then answers every statement
 * of it with these: an orchestrator starting during a PostgreSQL restart exited on one inside a transaction. Using a
 * runner after releasing it on purpose is a bug this would hide as an outage; none of our code keeps runners past
 * their release (they are scoped to one callback).
 */
const RELEASED_RUNNER_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

function* causes(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    yield record;
    // TypeORM wraps the driver's error (QueryFailedError.driverError); Node and AggregateError use cause/errors.
    if (Array.isArray(record.errors)) for (const inner of record.errors) yield* causes(inner);
    current = record.driverError ?? record.cause;
  }
}

/**
 * Whether an error means PostgreSQL is unreachable or refusing connections for now (an outage to wait out), as
 * opposed to a failure of the statement or of the data. Consumers pause on these instead of counting a failure.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof e.name === 'string' && RELEASED_RUNNER_ERRORS.has(e.name)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}
