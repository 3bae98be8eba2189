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

/** Fastify's own errors (bad JSON, body too large, bad content type) carry a 4xx statusCode. */
function fastifyClientError(exception: unknown): Described | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode, message, code } = exception as { statusCode?: unknown; message?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  let text = typeof message === 'string' ? message : 'Bad request';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') text = 'body: request body is larger than the allowed limit';
  else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') text = 'content-type: unsupported media type (send application/json)';
  else if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') text = 'body: empty body with content-type application/json';
  else if (exception instanceof SyntaxError || /JSON/.test(text)) text = `body: malformed JSON (${text})`;
  return { statusCode, message: text, code: typeof code === 'string' ? code : undefined };
}

function describe(exception: unknown): Described {
  if (exception instanceof DomainException) {
    return { statusCode: HTTP_STATUS_BY_KIND[exception.kind], message: exception.message, code: exception.code };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'string') return { statusCode: exception.getStatus(), message: response };
    const body = response as { message?: unknown; errors?: FieldError[] };
    const message = Array.isArray(body.message)
      ? body.message.join('; ')
      : typeof body.message === 'string'
        ? body.message
        : exception.message;
    return { statusCode: exception.getStatus(), message, errors: body.errors };
  }
  return fastifyClientError(exception) ?? { statusCode: 500, message: 'Internal server error' };
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
