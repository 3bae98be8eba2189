import { createHash } from 'node:crypto';

/** A short fingerprint of an output, so a recorded verdict is only compared on the output it was recorded for. */
export function outputHash(output: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(output) ?? 'undefined')
    .digest('hex')
    .slice(0, 10);
}
