import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { DomainException, isPrivateAddress } from '@app/edge';
import { guardedLookup, TargetRefusedError } from './target-guard';

export interface FetchLimits {
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
}

const MAX_REDIRECTS = 3;

export const RemoteErrorCode = {
  CARD_UNREACHABLE: 'CARD_UNREACHABLE',
  CARD_INVALID: 'CARD_INVALID',
  TARGET_REFUSED: 'TARGET_REFUSED',
  REMOTE_AGENT_EXISTS: 'REMOTE_AGENT_EXISTS',
  NOT_A_REMOTE_AGENT: 'NOT_A_REMOTE_AGENT',
} as const;

export const unreachable = (field: string, why: string) =>
  new DomainException('invalid', RemoteErrorCode.CARD_UNREACHABLE, `${field}: ${why}`);
export const refused = (field: string, why: string) =>
  new DomainException('invalid', RemoteErrorCode.TARGET_REFUSED, `${field}: ${why}`);

/**
 * Checks a URL an outside agent gave us before anything connects to it: http(s) only, no
 * credentials in it, and (unless private targets are allowed) no literal blocked address. Names
 * are checked again at connect time by the guarded lookup.
 */
export function checkTargetUrl(raw: string, field: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainException('invalid', RemoteErrorCode.CARD_INVALID, `${field}: is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw refused(field, `only http and https URLs are fetched (got ${url.protocol})`);
  if (url.username || url.password) throw refused(field, 'credentials in the URL are not accepted');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isPrivateAddress(host))
    throw refused(field, `${host} is a loopback, private or reserved address`);
  return url;
}

/**
 * GETs an agent card: guarded against internal targets (SSRF), bounded in time and size, and
 * following redirects only within the same origin (a card host cannot bounce us elsewhere).
 */
export async function fetchCard(raw: string, limits: FetchLimits, field = 'card_url'): Promise<unknown> {
  let url = checkTargetUrl(raw, field, limits.allowPrivate);
  const origin = url.origin;
  // One time limit for the whole exchange (redirects and body included).
  const signal = AbortSignal.timeout(limits.timeoutMs);
  for (let hop = 0; ; hop++) {
    const res = await get(url, limits, signal, field);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw unreachable(field, `more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(res.headers.location, url);
      if (next.origin !== origin) throw refused(field, `redirects to another origin (${next.origin}) are not followed`);
      url = checkTargetUrl(next.toString(), field, limits.allowPrivate);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw unreachable(field, `${url.toString()} answered HTTP ${status}`);
    }
    const text = await readBounded(res, limits, signal, field);
    try {
      return JSON.parse(text);
    } catch {
      throw new DomainException('invalid', RemoteErrorCode.CARD_INVALID, `${field}: the card is not JSON`);
    }
  }
}

function get(url: URL, limits: FetchLimits, signal: AbortSignal, field: string): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json' },
        lookup: guardedLookup(limits.allowPrivate),
        signal,
      },
      resolve,
    );
    req.on('error', (err) => {
      if (signal.aborted) return reject(unreachable(field, `no complete answer within ${limits.timeoutMs} ms`));
      if (err instanceof TargetRefusedError) return reject(refused(field, err.message));
      reject(unreachable(field, `${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    req.end();
  });
}

function readBounded(res: IncomingMessage, limits: FetchLimits, signal: AbortSignal, field: string): Promise<string> {
  const maxBytes = limits.maxBytes;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      res.destroy();
      reject(unreachable(field, `no complete answer within ${limits.timeoutMs} ms`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('close', () => signal.removeEventListener('abort', onAbort));
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(
          new DomainException('invalid', RemoteErrorCode.CARD_INVALID, `${field}: the card is over ${maxBytes} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err) => reject(unreachable(field, err.message)));
  });
}
