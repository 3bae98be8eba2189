/**
 * A minimal HTTP/1.1 keep-alive client for load generation: requests are written as prebuilt
 * bytes on plain sockets and answers parsed only as far as status, Content-Length or chunked
 * framing. node:http costs ~0.3 ms of CPU per request here, which on a 2-core machine is CPU the
 * system under test does not get; this costs a fraction of it (docs/decisions/0013).
 */
import { Socket, connect } from 'node:net';

export interface RawRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

interface Pending {
  request: RawRequest;
  done: (status: number | Error) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** A pool of keep-alive connections to one host; each carries one request at a time. */
export class RawHttpPool {
  private readonly idle: RawConnection[] = [];
  private readonly queue: Pending[] = [];
  private readonly all = new Set<RawConnection>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly maxSockets: number,
    /** Extra header lines sent with every request, e.g. `Authorization: Bearer …\r\n`. */
    private readonly extraHeaders = '',
  ) {}

  /** Resolves with the status code, or rejects on a connection error. */
  send(request: RawRequest): Promise<number> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { request, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) };
      const connection = this.idle.pop() ?? (this.all.size < this.maxSockets ? this.open() : undefined);
      if (connection) connection.run(pending);
      else this.queue.push(pending);
    });
  }

  close(): void {
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private open(): RawConnection {
    const connection = new RawConnection(
      connect(this.port, this.host),
      this.host,
      (c) => this.release(c),
      this.extraHeaders,
    );
    this.all.add(connection);
    connection.socket.on('close', () => {
      this.all.delete(connection);
      const at = this.idle.indexOf(connection);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return connection;
  }

  private release(connection: RawConnection): void {
    const next = this.queue.shift();
    if (next) connection.run(next);
    else this.idle.push(connection);
  }
}

class RawConnection {
  private current?: Pending;
  private buffer: Buffer = Buffer.alloc(0);

  constructor(
    readonly socket: Socket,
    private readonly host: string,
    private readonly onFree: (c: RawConnection) => void,
    private readonly extraHeaders = '',
  ) {
    socket.setNoDelay(true);
    // A request unanswered for 10 s fails (and an idle socket closes); the run never hangs.
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  run(pending: Pending): void {
    this.current = pending;
    const { method, path, body } = pending.request;
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\nConnection: keep-alive\r\n${this.extraHeaders}` +
      (body === undefined
        ? '\r\n'
        : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    this.socket.write(head);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headerEnd = this.buffer.indexOf(HEADER_END);
    if (headerEnd < 0 || !this.current) return;
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + 4;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = bodyStart + Number(length[1]);
      if (this.buffer.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const terminator = this.buffer.indexOf('0\r\n\r\n', bodyStart);
      if (terminator < 0) return;
      end = terminator + 5;
    } else {
      end = bodyStart;
    }
    this.buffer = this.buffer.subarray(end);
    const done = this.current.done;
    this.current = undefined;
    done(status);
    this.onFree(this);
  }

  private fail(error: Error): void {
    const current = this.current;
    this.current = undefined;
    if (current) current.done(error);
  }
}
