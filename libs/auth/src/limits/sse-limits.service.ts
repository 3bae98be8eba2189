import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';

/** Open Server-Sent Event streams, per credential and per process, capped. */
@Injectable()
export class SseLimitsService {
  private total = 0;
  private readonly byCredential = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A release function when a slot is free; undefined when a cap is reached. */
  acquire(credentialId: string): (() => void) | undefined {
    const mine = this.byCredential.get(credentialId) ?? 0;
    if (this.total >= this.config.auth.sseMaxPerProcess || mine >= this.config.auth.sseMaxPerCredential)
      return undefined;
    this.total += 1;
    this.byCredential.set(credentialId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byCredential.get(credentialId) ?? 1) - 1;
      if (left <= 0) this.byCredential.delete(credentialId);
      else this.byCredential.set(credentialId, left);
    };
  }

  get open(): number {
    return this.total;
  }
}
