import { BadRequestException, MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';

/** A comment every this often keeps proxies and load balancers from closing an idle stream. */
export const SSE_KEEPALIVE_MS = 15_000;

/**
 * The stream with a `: keep-alive` comment line whenever it was quiet for `everyMs`; comments carry
 * no `id:`, so a client's Last-Event-ID is unaffected. Completes with the stream.
 */
export function withKeepAlive(source: Observable<MessageEvent>, everyMs = SSE_KEEPALIVE_MS): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        subscriber.next({ comment: 'keep-alive' });
        arm();
      }, everyMs);
    };
    arm();
    const sub = source.subscribe({
      next: (event) => {
        subscriber.next(event);
        arm();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      clearTimeout(timer);
      sub.unsubscribe();
    };
  });
}

/**
 * The `Last-Event-ID` a reconnecting client sends, checked against the stream's id syntax (`pattern`);
 * undefined on a first connect. A malformed one is a 400 naming the header.
 */
export function lastEventId(header: string | undefined, pattern: RegExp, example: string): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.length > 64 || !pattern.test(header)) {
    const message = `Last-Event-ID: must be an event id this stream sent, such as ${example}`;
    throw new BadRequestException({ message, errors: [{ field: 'Last-Event-ID', message }] });
  }
  return header;
}
