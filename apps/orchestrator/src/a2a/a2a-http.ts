import {
  A2A_VERSION_HEADER,
  Extensions,
  formatSSEErrorEvent,
  formatSSEEvent,
  HTTP_EXTENSION_HEADER,
  SSE_HEADERS,
} from '@a2a-js/sdk';
import { defaultServerCallContextBuilder, ServerCallContext, UnauthenticatedUser, User } from '@a2a-js/sdk/server';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Until @app/auth is merged, any Bearer credential counts as authenticated (d-auth puts a principal here). */
class BearerUser implements User {
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return 'bearer';
  }
}

export function hasBearer(req: FastifyRequest): boolean {
  return /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
}

export function callContext(req: FastifyRequest, tenant?: string): ServerCallContext {
  const header = (name: string) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };
  return defaultServerCallContextBuilder({
    extensions: Extensions.parseServiceParameter(header(HTTP_EXTENSION_HEADER)),
    user: hasBearer(req) ? new BearerUser() : new UnauthenticatedUser(),
    headers: req.headers,
    requestedVersion: header(A2A_VERSION_HEADER) || undefined,
    tenant,
  });
}

/** Writes an async stream as Server-Sent Events; stops pulling when the client goes away. */
export async function writeSse<T>(
  reply: FastifyReply,
  first: IteratorResult<T>,
  rest: AsyncIterator<T>,
  toJson: (event: T) => unknown,
  onError: (error: unknown) => unknown,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...SSE_HEADERS, 'x-request-id': String(reply.request.id) });
  let closed = false;
  raw.on('close', () => {
    closed = true;
    void rest.return?.();
  });
  try {
    if (!first.done) raw.write(formatSSEEvent(toJson(first.value)));
    while (!closed) {
      const next = await rest.next();
      if (next.done) break;
      raw.write(formatSSEEvent(toJson(next.value)));
    }
  } catch (error) {
    if (!closed) raw.write(formatSSEErrorEvent(onError(error)));
  } finally {
    if (!raw.writableEnded) raw.end();
  }
}
