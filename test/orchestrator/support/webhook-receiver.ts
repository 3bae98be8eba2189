import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** A webhook receiver on loopback: records every request; `answer` decides the status of each (by its 1-based number). */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  /** A status, a redirect, or `hang`: never answer (the sender's time limit must end the attempt). */
  answer: (n: number) => number | { status: number; location: string } | 'hang' = () => 200;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const a = this.answer(this.requests.length + 1);
        if (a === 'hang') {
          this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 });
          return;
        }
        const status = typeof a === 'number' ? a : a.status;
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        if (typeof a !== 'number') res.setHeader('location', a.location);
        res.statusCode = status;
        res.end(status < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** Requests answered 2xx. */
  get accepted(): Received[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Parsed bodies of the accepted requests. */
  events(): { id: string; type: string; data: Record<string, unknown> }[] {
    return this.accepted.map((r) => JSON.parse(r.body));
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
