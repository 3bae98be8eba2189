/** A request got no reply in time. The request may still run (at-least-once): callers retry idempotently. */
export class TransportTimeoutError extends Error {
  readonly code = 'TRANSPORT_TIMEOUT';
  constructor(message: string) {
    super(message);
    this.name = 'TransportTimeoutError';
  }
}

/** Redis did not acknowledge an append in time (outage). Whether it was stored is unknown: retry idempotently. */
export class TransportUnavailableError extends Error {
  readonly code = 'TRANSPORT_UNAVAILABLE';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransportUnavailableError';
  }
}

/** The request was dead-lettered after its last attempt; the caller gets this instead of waiting for a timeout. */
export class TransportDeadLetterError extends Error {
  readonly code = 'TRANSPORT_DEAD_LETTERED';
  constructor(message: string) {
    super(message);
    this.name = 'TransportDeadLetterError';
  }
}

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
