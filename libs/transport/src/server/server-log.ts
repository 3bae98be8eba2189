import { Logger } from '@nestjs/common';

/** The server's one logger, shared by its parts so that a Redis outage still yields one line every few seconds. */
export class ServerLog {
  private lastThrottled = 0;

  constructor(private readonly logger: Logger) {}

  log(message: string): void {
    this.logger.log(message);
  }

  warn(message: string): void {
    this.logger.warn(message);
  }

  warnError(what: string, err: unknown): void {
    this.logger.warn(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** During an outage every loop fails every 100 ms; one line a few seconds is enough. */
  throttledWarn(what: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastThrottled < 5_000) return;
    this.lastThrottled = now;
    this.warnError(what, err);
  }
}
