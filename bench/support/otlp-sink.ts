import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in collector for the tracing phase: accepts OTLP/HTTP export requests, counts them, keeps nothing. */
export async function startOtlpSink(): Promise<{
  url: string;
  stats: { requests: number; bytes: number };
  close(): Promise<void>;
}> {
  const stats = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (stats.bytes += c.length));
    req.on('end', () => {
      stats.requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
