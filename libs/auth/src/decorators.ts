import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Principal } from './principal';

export const PUBLIC_KEY = 'auth:public';
export const SCOPES_KEY = 'auth:scopes';
export const STREAM_TICKET_KEY = 'auth:stream-ticket';
export const RATE_BUDGET_KEY = 'auth:rate-budget';
export const AUDIT_ACTION_KEY = 'auth:audit-action';

/** No credential needed (health, docs, public metrics). Shown in OpenAPI as `x-public: true`. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-public', true));
}

/**
 * The scopes a route needs (all of them). With none, any authenticated principal passes (routes
 * whose rule is the caller's own identity, such as an agent acting as itself). Swagger shows the
 * Authorize lock and the scopes.
 */
export function RequireScopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  const needs = scopes.length > 0 ? scopes.join(', ') : 'any authenticated principal';
  return applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth(),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({ description: 'No or invalid credential' }),
    ApiForbiddenResponse({ description: `Needs: ${needs}` }),
  );
}

/** An SSE route a browser opens with `?ticket=` (EventSource cannot send headers). */
export function AllowStreamTicket(): MethodDecorator {
  return applyDecorators(SetMetadata(STREAM_TICKET_KEY, true), ApiExtension('x-stream-ticket', true));
}

/** Counts the route against a budget of its own (heartbeats) instead of the general one. */
export function RateBudget(budget: 'heartbeat'): MethodDecorator {
  return SetMetadata(RATE_BUDGET_KEY, budget);
}

/**
 * The audit action name of a mutation (default: `<METHOD> <route>`). On a message handler it also
 * marks the handler as a mutation: it is audited (reads over RPC are not).
 */
export function AuditAction(action: string): MethodDecorator {
  return SetMetadata(AUDIT_ACTION_KEY, action);
}

/** The authenticated principal of this request or message. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  if (ctx.getType() === 'http') return ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  return ctx.switchToRpc().getContext<{ principal?: Principal }>().principal;
});

export const AUDIT_MODE_KEY = 'auth:audit-mode';

/**
 * How a mutation is audited. Every mutation gets an AuditScope (its service writes the row in the
 * change's transaction, or the edge writes it with the final outcome); `service` only documents
 * that the service does; `telemetry` = not per call (heartbeats, load reports, stream tickets:
 * only refusals are recorded).
 */
export function Audited(mode: 'service' | 'telemetry'): MethodDecorator {
  return SetMetadata(AUDIT_MODE_KEY, mode);
}

export const ACTS_AS_AGENT_KEY = 'auth:acts-as-agent';
export interface ActsAsAgentSpec {
  from: 'params' | 'body';
  field: string;
}

/**
 * The route acts as one agent (register, heartbeat, status, load, delete): only a credential
 * bound to that agent id, or one with registry:admin, passes. No other scope is needed.
 */
export function ActsAsAgent(from: 'params' | 'body' = 'params', field = 'agent_id'): MethodDecorator {
  return applyDecorators(
    SetMetadata(ACTS_AS_AGENT_KEY, { from, field } satisfies ActsAsAgentSpec),
    RequireScopes(),
    ApiExtension('x-acts-as-agent', `${from}.${field} (a credential bound to it, or registry:admin)`),
  );
}
