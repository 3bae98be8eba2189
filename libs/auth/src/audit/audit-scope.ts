import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { actorOf, Principal } from '../principal';

/**
 * The audit of one mutating request or message: who, which action, which request. The service
 * that makes the change writes its row inside the change's transaction (AuditService.insertIn)
 * and calls `written()` once that transaction committed. Whatever is not written by then (a
 * refused change, a validation error, a change that failed and rolled back, or a change that has
 * no PostgreSQL transaction) gets its one row from the edge afterwards (AuditHook for HTTP,
 * RpcAuditInterceptor for messages), with the final outcome. So every request leaves exactly one.
 */
export class AuditScope {
  private done = false;
  /** What the change touched, when the service knows it better than the path (`task:<id>`). */
  resource: string | null;

  constructor(
    readonly principal: Principal | undefined,
    readonly action: string,
    readonly requestId: string | null,
    resource: string | null,
    /** Status of a successful answer (HTTP), recorded with in-transaction rows; null for messages. */
    readonly successStatus: number | null = null,
  ) {
    this.resource = resource;
  }

  get actor(): string | null {
    return actorOf(this.principal);
  }

  get isWritten(): boolean {
    return this.done;
  }

  /** The row committed with the change: the edge writes none. */
  written(resource?: string): void {
    if (resource !== undefined) this.resource = resource;
    this.done = true;
  }
}

/** Where the guard leaves the scope of an HTTP request or a message. */
export interface AuditScopeHolder {
  auditScope?: AuditScope;
}

/**
 * The request's or message's AuditScope; undefined for reads and telemetry (nothing to record).
 * Services take it as an optional argument, so internal callers (schedules, workflows) pass none.
 */
export const CurrentAudit = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuditScope | undefined => {
  if (ctx.getType() === 'http') return ctx.switchToHttp().getRequest<AuditScopeHolder>().auditScope;
  return ctx.switchToRpc().getContext<AuditScopeHolder>()?.auditScope;
});
