import { Logger } from '@nestjs/common';

/**
 * One warning per key per interval: during an outage every retry fails, and one line every few seconds says
 * as much as a hundred. Counts what it suppressed so the next line tells how many.
 */
export class RateLimitedWarn {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 5_000,
  ) {}

  warn(key: string, message: string): void {
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    const more = entry?.suppressed ? ` (${entry.suppressed} more since the last warning)` : '';
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger.warn(`${message}${more}`);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}
