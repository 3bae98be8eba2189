import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { rejectionBody } from './handler-failure';
import { RedisStreamsContext } from './redis-streams.context';

/**
 * Optional global RPC filter: keeps the original error for the dead-letter entry (Nest's default filter reduces
 * it to "Internal server error") and answers requesters with the message of 4xx-like errors
 * (HttpException < 500, DomainException invalid/not_found/conflict) instead of retrying them.
 */
@Catch()
export class RedisStreamsExceptionFilter extends BaseRpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const ctx = host.switchToRpc().getContext<unknown>();
    if (ctx instanceof RedisStreamsContext) ctx.recordError(exception);
    const body = rejectionBody(exception);
    if (body) return throwError(() => body);
    return super.catch(exception, host) as Observable<never>;
  }
}
