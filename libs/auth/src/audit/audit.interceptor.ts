import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { DomainException, HTTP_STATUS_BY_KIND } from '@app/common';
import { AUDIT_ACTION_KEY, AUDIT_MODE_KEY } from '../decorators';
import type { Principal } from '../principal';
import { AuditService } from './audit.service';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  if (error instanceof DomainException) return HTTP_STATUS_BY_KIND[error.kind];
  return 500;
}

/**
 * One audit row per HTTP mutation that passed the guard (refusals are written by the guard),
 * after the handler: its outcome and status. Routes whose service writes the row inside the
 * change's transaction, and telemetry (heartbeats, load), opt out with @Audited().
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    if (READS.has(request.method)) return next.handle();
    if (this.reflector.get<string | undefined>(AUDIT_MODE_KEY, context.getHandler()) !== undefined)
      return next.handle();
    const action =
      this.reflector.get<string | undefined>(AUDIT_ACTION_KEY, context.getHandler()) ??
      `${request.method} ${request.routeOptions.url ?? ''}`;
    const base = {
      principal: request.principal,
      action,
      resource: request.url.split('?')[0],
      requestId: String(request.id),
    };
    return next.handle().pipe(
      mergeMap((value: unknown) =>
        from(this.audit.record({ ...base, outcome: 'success', statusCode: 200 }).then(() => value)),
      ),
      catchError((error: unknown) =>
        from(this.audit.recordQuietly({ ...base, outcome: 'failure', statusCode: statusOf(error) })).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
