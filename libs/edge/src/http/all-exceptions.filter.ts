import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException } from '../errors/domain.exception';
import { isDependencyOutage } from '../startup/start-when-available';
import { buildErrorBody } from './error-body';

/**
 * The catch-all HTTP filter: one body shape for every error, internals never leaked on 500
 * (the full error is logged with the request id instead).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // PostgreSQL or Redis away is an outage to wait out, not a bug: 503 + Retry-After, like a full queue.
    const answered = isDependencyOutage(exception) ? dependencyUnavailable(exception) : exception;
    const body = buildErrorBody(answered, request.url, String(request.id));
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, request_id: body.request_id, path: body.path }, 'unhandled error');
    }
    if (reply.sent) return;
    // A domain refusal that says when to come back (a full queue) tells HTTP clients too.
    const retryAfter = answered instanceof DomainException ? answered.details?.retry_after_seconds : undefined;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(body.statusCode).header('content-type', 'application/json').send(body);
  }
}

/**
 * The answer to a request that met a PostgreSQL or Redis outage (the error itself is logged, not sent). `cause` keeps
 * the outage recognisable: a bus handler that throws this is held and run again once the outage ends (issue 11), not
 * answered.
 */
export function dependencyUnavailable(cause?: unknown): DomainException {
  const error = new DomainException(
    'unavailable',
    'DEPENDENCY_UNAVAILABLE',
    'a dependency (PostgreSQL or Redis) is unavailable; retry later (with the same idempotency_key for a submission)',
    { retry_after_seconds: 5 },
  );
  if (cause !== undefined) error.cause = cause;
  return error;
}
