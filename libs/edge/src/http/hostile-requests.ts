import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { exceedsJsonDepth } from '@app/transport';
import { buildErrorBody } from './error-body';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Requests rejected before Nest sees them (Node's HTTP parser, Fastify's router, the JSON body parser)
 * get the same error body as everything else, with a message naming the wrong part of the request.
 */

/** Fastify `frameworkErrors`: bad percent-encoding in the URL (400) and an over-long path parameter (414). */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'path: a path parameter is longer than the allowed length'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'path: the URL contains an invalid percent-encoding (e.g. %zz or an encoded byte that is not UTF-8)'
        : `path: ${error.message}`;
  const body = buildErrorBody(new HttpException(message, status), safePath(request.raw.url ?? ''), String(request.id));
  void reply
    .status(status)
    .header('content-type', 'application/json')
    .header(REQUEST_ID_HEADER, body.request_id)
    .send(body);
}

interface ParserError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/** The request line's target as printable ASCII (raw bytes escaped), for the error body. */
function pathFromPacket(packet: unknown): string {
  if (!Buffer.isBuffer(packet)) return '';
  const line = packet.subarray(0, Math.min(packet.length, 2048)).toString('latin1').split('\r\n', 1)[0];
  return safePath(line.split(' ')[1] ?? '');
}

function safePath(path: string): string {
  // Control and non-ASCII characters escaped, so the body says which bytes were sent.
  return path
    .slice(0, 2048)
    .replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function describeParserError(err: ParserError): { status: number; message: string } {
  switch (err.code ?? '') {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'headers: the request line and headers exceed the allowed size' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'request: not received completely in time' };
    case 'HPE_INVALID_URL':
      return {
        status: 400,
        message: 'path: not a valid request target (raw bytes outside ASCII must be percent-encoded)',
      };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_HEADER_VALUE':
      return { status: 400, message: 'headers: a header name or value holds characters HTTP does not allow' };
    default:
      return { status: 400, message: `request: not valid HTTP/1.1 (${err.code ?? err.message})` };
  }
}

/** Fastify `clientErrorHandler`: the connection is answered with the uniform body, then closed (as Node does). */
export function clientErrorHandler(err: ParserError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = describeParserError(err);
  const requestId = randomUUID();
  const body = JSON.stringify(
    buildErrorBody(new HttpException(message, status), pathFromPacket(err.rawPacket), requestId),
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * application/json with a depth limit checked on the raw bytes before parsing, then Fastify's own parser
 * (which refuses `__proto__` and `constructor.prototype` keys). Replaces Nest's registration of the same
 * parser (the app is created with `bodyParser: false`).
 */
export function registerJsonBodyParser(
  fastify: FastifyInstance,
  options: { bodyLimit: number; maxDepth: number },
): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: options.bodyLimit },
    (request, body: Buffer, done) => {
      if (exceedsJsonDepth(body, options.maxDepth)) {
        done(new HttpException(`body: JSON is nested deeper than ${options.maxDepth} levels`, 400), undefined);
        return;
      }
      void parse(request, body.toString('utf8'), (err, value) => {
        if (err) done(new HttpException(`body: malformed JSON (${err.message})`, 400), undefined);
        else done(null, value);
      });
    },
  );
}
