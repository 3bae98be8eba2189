import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import { DomainException, HTTP_STATUS_BY_KIND } from '@app/edge';
import { AuditService } from './audit.service';
import { AuditScopeHolder } from './audit-scope';

/**
 * The edge's part of the audit of a mutating message (see AuditScope): after the handler, one row
 * with the outcome unless its service wrote one in the change's transaction. Around the handler,
 * so validation errors (pipes run inside) are recorded too. Guards run before: refusals are theirs.
 */
@Injectable()
export class RpcAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = context.switchToRpc().getContext<AuditScopeHolder | undefined>()?.auditScope;
    if (context.getType() !== 'rpc' || !scope) return next.handle();
    return next.handle().pipe(
      concatMap((value: unknown) => from(this.audit.settle(scope, true).then(() => value))),
      catchError((error: unknown) =>
        from(this.audit.settle(scope, false, statusOf(error), { error: messageOf(error) })).pipe(
          concatMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}

/** The HTTP status the same refusal would have had (a 409 over RPC reads like one over HTTP). */
function statusOf(error: unknown): number | undefined {
  if (error instanceof DomainException) return HTTP_STATUS_BY_KIND[error.kind];
  const status = (error as { getStatus?: () => unknown })?.getStatus?.();
  return typeof status === 'number' ? status : undefined;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
