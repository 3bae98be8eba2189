import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { DomainException, HTTP_STATUS_BY_KIND } from '../errors/domain.exception';
import { FieldError } from '../errors/validation-errors';

/** The one error body every HTTP endpoint answers with. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  errors?: FieldError[];
  path: string;
  timestamp: string;
  request_id: string;
}

interface Described {
  statusCode: number;
  message: string;
  code?: string;
  errors?: FieldError[];
}

/**
 * Fastify rejects some requests before any DTO sees them (Nest wraps those in a plain
 * HttpException); say which part of the request was wrong.
 */
function nameRequestPart(statusCode: number, message: string): string {
  if (statusCode === 413) return `body: request body is larger than the allowed limit (${message})`;
  if (statusCode === 415) return `content-type: unsupported media type, send application/json (${message})`;
  if (statusCode === 400 && /JSON/i.test(message) && !message.startsWith('body'))
    return `body: malformed JSON (${message})`;
  return message;
}

function describe(exception: unknown): Described {
  if (exception instanceof DomainException) {
    // A domain error may list the fields it is about, like a validation error does.
    const errors = exception.details?.errors;
    return {
      statusCode: HTTP_STATUS_BY_KIND[exception.kind],
      message: exception.message,
      code: exception.code,
      ...(Array.isArray(errors) ? { errors: errors as FieldError[] } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'string') {
      return { statusCode: exception.getStatus(), message: nameRequestPart(exception.getStatus(), response) };
    }
    const body = response as { message?: unknown; errors?: FieldError[]; code?: unknown };
    const message = Array.isArray(body.message)
      ? body.message.join('; ')
      : typeof body.message === 'string'
        ? body.message
        : exception.message;
    const code = typeof body.code === 'string' ? body.code : undefined;
    return { statusCode: exception.getStatus(), message, errors: body.errors, code };
  }
  return { statusCode: 500, message: 'Internal server error' };
}

export function buildErrorBody(exception: unknown, path: string, requestId: string): ErrorBody {
  const described = describe(exception);
  const body: ErrorBody = {
    statusCode: described.statusCode,
    error: STATUS_CODES[described.statusCode] ?? 'Error',
    message: described.message,
    path,
    timestamp: new Date().toISOString(),
    request_id: requestId,
  };
  if (described.code) body.code = described.code;
  if (described.errors) body.errors = described.errors;
  return body;
}
