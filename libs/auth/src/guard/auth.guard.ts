import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AuditService } from '../audit/audit.service';
import { AuthErrorCode, AuthException } from '../auth.errors';
import { INFRA_PUBLIC_PATHS } from '../auth.options';
import { AuditedRequest } from '../audit/audit-hook';
import { AuditScope } from '../audit/audit-scope';
import {
  ACTS_AS_AGENT_KEY,
  ActsAsAgentSpec,
  AUDIT_ACTION_KEY,
  AUDIT_MODE_KEY,
  PUBLIC_KEY,
  RATE_BUDGET_KEY,
  SCOPES_KEY,
  STREAM_TICKET_KEY,
} from '../decorators';
import { SseLimitsService } from '../limits/sse-limits.service';
import { RateBudget, RateLimitsService } from '../limits/rate-limits.service';
import { DEV_PRINCIPAL, hasAllScopes, mayActAsAgent, Principal } from '../principal';
import { StreamTicketsService } from '../tickets/stream-tickets.service';
import { Authenticator } from './authenticator';
import { RpcAuthorizer } from './rpc-authorizer';

type AuthedRequest = FastifyRequest & { principal?: Principal };

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a route declares for the guard (decorators in ../decorators). */
interface RouteAuth {
  isPublic: boolean;
  scopes: string[] | undefined;
  allowsTicket: boolean;
  budget: RateBudget;
  actsAs: ActsAsAgentSpec | undefined;
  telemetry: boolean;
  auditAction: string | undefined;
  status: number | undefined;
}

/**
 * The one global guard: every HTTP route and message handler resolves to one principal, then
 * passes only with the scopes the route declares. A route with no declaration is refused
 * (secure by default; the OpenAPI test finds it first). Every 401/403/429 leaves an audit row.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  // By class, then handler: an inherited handler may sit under another class's declarations.
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly tickets: StreamTicketsService,
    private readonly rateLimits: RateLimitsService,
    private readonly sse: SseLimitsService,
    private readonly audit: AuditService,
    private readonly rpc: RpcAuthorizer,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.routeOf(context);
    if (context.getType() !== 'http') return route.isPublic || this.rpc.authorize(context);
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const path = request.url.split('?')[0];
    const infra = (INFRA_PUBLIC_PATHS as readonly string[]).includes(path);
    if (route.isPublic || (infra && !(path === '/metrics' && this.config.auth.metrics === 'scope'))) return true;
    const required = infra ? ['metrics:read'] : route.scopes;
    const action = `${request.method} ${request.routeOptions.url ?? path}`;

    if (this.config.auth.mode === 'disabled') {
      request.principal = DEV_PRINCIPAL;
      this.markForAudit(route, request, DEV_PRINCIPAL, action, path);
      return true;
    }
    const identified = this.identify(request, route.allowsTicket);
    const principal = identified instanceof Promise ? await identified : identified;
    if (!principal) {
      await this.audit.recordQuietly({
        action,
        resource: path,
        requestId: String(request.id),
        outcome: 'unauthenticated',
        statusCode: 401,
      });
      throw new AuthException(
        401,
        AuthErrorCode.UNAUTHENTICATED,
        'authorization: a valid bearer credential is required',
      );
    }
    request.principal = principal;
    const limited = this.rateLimits.consume(route.budget, principal.id);
    const retryAfter = limited instanceof Promise ? await limited : limited;
    if (retryAfter !== undefined) {
      void reply.header('retry-after', String(retryAfter));
      await this.audit.recordQuietly({
        principal,
        action,
        resource: path,
        requestId: String(request.id),
        outcome: 'rate_limited',
        statusCode: 429,
      });
      throw new AuthException(
        429,
        AuthErrorCode.RATE_LIMITED,
        `rate limit of this credential reached; retry in ${retryAfter}s`,
      );
    }
    if (required === undefined || !hasAllScopes(principal, required)) {
      await this.audit.recordQuietly({
        principal,
        action,
        resource: path,
        requestId: String(request.id),
        outcome: 'denied',
        statusCode: 403,
        detail: { required: required ?? 'undeclared route' },
      });
      throw new AuthException(
        403,
        AuthErrorCode.FORBIDDEN,
        required === undefined ? 'this route declares no scope' : `scope: needs ${required.join(', ')}`,
      );
    }
    const actsAs = route.actsAs;
    if (actsAs) {
      const source = (actsAs.from === 'params' ? request.params : request.body) as Record<string, unknown> | undefined;
      const agentId = source?.[actsAs.field];
      // A missing/odd id is left to validation (400); only a well-formed foreign id is refused here.
      if (typeof agentId === 'string' && !mayActAsAgent(principal, agentId)) {
        await this.audit.recordQuietly({
          principal,
          action,
          resource: `agent:${agentId}`,
          requestId: String(request.id),
          outcome: 'denied',
          statusCode: 403,
          detail: { reason: 'agent_not_bound', bound: principal.agent_ids ?? [] },
        });
        throw new AuthException(
          403,
          AuthErrorCode.AGENT_NOT_BOUND,
          `agent_id: this credential may not act as ${agentId}`,
        );
      }
    }
    if (route.allowsTicket) this.holdStreamSlot(request, principal);
    this.markForAudit(route, request, principal, action, path);
    return true;
  }

  /** The route's declarations, read from its metadata once (metadata is fixed after start-up). */
  private routeOf(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byHandler = this.routes.get(cls);
    if (!byHandler) this.routes.set(cls, (byHandler = new WeakMap()));
    const known = byHandler.get(handler);
    if (known) return known;
    const targets = [handler, cls];
    const route: RouteAuth = {
      isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
      scopes: this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets),
      allowsTicket: this.reflector.get<boolean>(STREAM_TICKET_KEY, handler) === true,
      budget: this.reflector.get<RateBudget | undefined>(RATE_BUDGET_KEY, handler) ?? 'general',
      actsAs: this.reflector.get<ActsAsAgentSpec | undefined>(ACTS_AS_AGENT_KEY, handler),
      telemetry: this.reflector.get<string>(AUDIT_MODE_KEY, handler) === 'telemetry',
      auditAction: this.reflector.get<string | undefined>(AUDIT_ACTION_KEY, handler),
      status: this.reflector.get<number | undefined>(HTTP_CODE_METADATA, handler),
    };
    byHandler.set(handler, route);
    return route;
  }

  /**
   * Every mutation but telemetry (@Audited('telemetry')) gets an AuditScope: its service writes the
   * row in the change's transaction, or AuditHook writes it with the final status.
   */
  private markForAudit(
    route: RouteAuth,
    request: AuthedRequest,
    principal: Principal,
    action: string,
    path: string,
  ): void {
    if (READS.has(request.method) || route.telemetry) return;
    const status = route.status ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    (request as AuditedRequest).auditScope = new AuditScope(
      principal,
      route.auditAction ?? action,
      String(request.id),
      path,
      status,
    );
  }

  private identify(
    request: AuthedRequest,
    allowsTicket: boolean,
  ): Principal | undefined | Promise<Principal | undefined> {
    const token = Authenticator.bearer(request.headers.authorization);
    if (token !== undefined) return this.authenticator.authenticate(token);
    const ticket = allowsTicket ? (request.query as Record<string, unknown> | undefined)?.ticket : undefined;
    return typeof ticket === 'string' ? this.tickets.redeem(ticket) : undefined;
  }

  private holdStreamSlot(request: AuthedRequest, principal: Principal): void {
    const release = this.sse.acquire(principal.id);
    if (!release)
      throw new AuthException(429, AuthErrorCode.TOO_MANY_STREAMS, 'too many open event streams; close one first');
    request.raw.once('close', release);
  }
}
