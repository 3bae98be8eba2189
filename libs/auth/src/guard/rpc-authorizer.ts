import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AuditService } from '../audit/audit.service';
import { AuthErrorCode, AuthException } from '../auth.errors';
import { AuditScope, AuditScopeHolder } from '../audit/audit-scope';
import { AUDIT_ACTION_KEY, SCOPES_KEY } from '../decorators';
import { DEV_PRINCIPAL, hasAllScopes, Principal } from '../principal';
import { Authenticator } from './authenticator';

/** The field of an RPC payload that carries the caller's bearer credential (removed before validation). */
export const RPC_AUTH_FIELD = 'auth';

/**
 * Message handlers (the orchestrator's Streams RPC and Nest's Redis transport) pass the same
 * scope checks as HTTP. A message cannot carry headers on both transports, so the credential
 * travels as `payload.auth` and is stripped before the handler's validation pipe sees it.
 */
@Injectable()
export class RpcAuthorizer {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly audit: AuditService,
  ) {}

  async authorize(context: ExecutionContext): Promise<boolean> {
    const rpc = context.switchToRpc();
    const data = rpc.getData<unknown>();
    const carrier = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
    const token = carrier?.[RPC_AUTH_FIELD];
    if (carrier) delete carrier[RPC_AUTH_FIELD];
    const holder = rpc.getContext<({ principal?: unknown } & AuditScopeHolder) | undefined>();
    const named = this.reflector.get<string | undefined>(AUDIT_ACTION_KEY, context.getHandler());
    const action = named ?? `rpc ${context.getHandler().name}`;
    const requestId = requestIdOf(holder);
    if (this.config.auth.mode === 'disabled') {
      this.scope(holder, named, DEV_PRINCIPAL, requestId);
      return true;
    }
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const principal = typeof token === 'string' ? await this.authenticator.authenticate(token) : undefined;
    if (!principal) {
      await this.audit.recordQuietly({
        action,
        resource: null,
        requestId,
        outcome: 'unauthenticated',
        statusCode: 401,
      });
      throw new AuthException(401, AuthErrorCode.UNAUTHENTICATED, `${RPC_AUTH_FIELD}: a valid credential is required`);
    }
    if (scopes === undefined || !hasAllScopes(principal, scopes)) {
      await this.audit.recordQuietly({
        principal,
        action,
        resource: null,
        requestId,
        outcome: 'denied',
        statusCode: 403,
      });
      throw new AuthException(403, AuthErrorCode.FORBIDDEN, `scope: needs ${(scopes ?? ['(undeclared)']).join(', ')}`);
    }
    if (holder && typeof holder === 'object') holder.principal = principal;
    this.scope(holder, named, principal, requestId);
    return true;
  }

  /** Mutating handlers (@AuditAction) get an AuditScope; RpcAuditInterceptor writes what the service did not. */
  private scope(
    holder: AuditScopeHolder | undefined,
    action: string | undefined,
    principal: Principal,
    requestId: string | null,
  ): void {
    if (action !== undefined && holder && typeof holder === 'object')
      holder.auditScope = new AuditScope(principal, action, requestId, null);
  }
}

/** The message's envelope id on the Streams transport (Nest's Redis transport has none to offer). */
function requestIdOf(holder: unknown): string | null {
  const envelope = (holder as { getEnvelope?: () => { id?: unknown } } | undefined)?.getEnvelope?.();
  return typeof envelope?.id === 'string' ? envelope.id : null;
}
