import { connect } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

/**
 * Sends bytes exactly as given (fetch would percent-encode a raw path or refuse a bad header) and reads
 * the reply until the server closes or the body is complete.
 */
export function rawRequest(baseUrl: string, request: Buffer | string, timeoutMs = 10_000): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const head = split >= 0 ? raw.slice(0, split) : raw;
      const text = split >= 0 ? raw.slice(split + 4) : '';
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, text });
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const length = /content-length:\s*(\d+)/i.exec(raw.slice(0, split));
      if (split >= 0 && length && Buffer.byteLength(raw.slice(split + 4)) >= Number(length[1])) {
        socket.end();
      }
    });
    socket.on('close', finish);
    socket.on('error', () => undefined); // a reset after the reply is how a refused connection ends
    socket.write(request);
  });
}

/** The uniform error body of libs/edge, with a message that names what is wrong. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function expectUniformError(body: any, status: number, names: string | RegExp): void {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
      path: expect.any(String),
      timestamp: expect.any(String),
      request_id: expect.any(String),
    }),
  );
  const named = typeof names === 'string' ? (body.message as string).includes(names) : names.test(body.message);
  if (!named) throw new Error(`error message does not name ${String(names)}: ${JSON.stringify(body)}`);
}
