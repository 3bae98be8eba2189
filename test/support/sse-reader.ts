/** One Server-Sent Event as received. */
export interface SseMessage {
  event: string;
  data: string;
  /** The event's `id:` field, when it has one. */
  id?: string;
}

/**
 * Reads a text/event-stream with fetch and a stream reader, for e2e tests. `next(predicate)`
 * resolves with the first message that matches (skipping the rest); `close()` aborts the stream.
 */
export class SseReader {
  private readonly controller = new AbortController();
  private buffer = '';
  private queue: SseMessage[] = [];
  private reader?: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  /** Comment lines (`: keep-alive`) seen so far. */
  comments = 0;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** Resolves once the server answered with the stream's headers. */
  async open(): Promise<Response> {
    const response = await fetch(this.url, {
      headers: { accept: 'text/event-stream', ...this.headers },
      signal: this.controller.signal,
    });
    if (!response.body) throw new Error('no body on the event stream');
    this.reader = response.body.getReader();
    return response;
  }

  async next(predicate: (m: SseMessage) => boolean = () => true, timeoutMs = 10_000): Promise<SseMessage> {
    if (!this.reader) throw new Error('call open() first');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.queue.findIndex(predicate);
      if (index >= 0) {
        const [found] = this.queue.splice(0, index + 1).slice(-1);
        return found;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(this.queue)}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms`)), remaining);
      });
      const chunk = await Promise.race([this.reader.read(), timeout]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('event stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      this.parse();
    }
  }

  close(): void {
    this.controller.abort();
  }

  private parse(): void {
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        else if (line.startsWith(':')) this.comments += 1;
      }
      if (data.length > 0) this.queue.push({ event, data: data.join('\n'), ...(id === undefined ? {} : { id }) });
    }
  }
}
