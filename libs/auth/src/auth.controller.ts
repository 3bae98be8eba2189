import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Inject } from '@nestjs/common';
import { AuditService } from './audit/audit.service';
import { AuditScope, CurrentAudit } from './audit/audit-scope';
import { AUTH_OPTIONS, AuthModuleOptions } from './auth.options';
import { AuditAction, Audited, CurrentPrincipal, RequireScopes } from './decorators';
import { AuditQuery, CreateKeyDto, ListKeysQuery } from './auth.dto';
import { ApiKeysService } from './keys/api-keys.service';
import { DEV_PRINCIPAL, Principal } from './principal';
import { StreamTicketsService } from './tickets/stream-tickets.service';

/** Who am I, stream tickets, API keys (admin) and the audit trail. */
@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly keys: ApiKeysService,
    private readonly tickets: StreamTicketsService,
    private readonly audit: AuditService,
  ) {}

  @Get('auth/me')
  @RequireScopes()
  @ApiOperation({ summary: 'The principal of this credential: id, kind, name, scopes, agent_ids' })
  me(@CurrentPrincipal() principal: Principal | undefined): Principal {
    return principal ?? DEV_PRINCIPAL;
  }

  @Post('auth/stream-tickets')
  @HttpCode(201)
  @RequireScopes()
  @Audited('telemetry')
  @ApiOperation({ summary: 'A short-lived ticket for one browser EventSource: use as ?ticket= on SSE routes' })
  streamTicket(@CurrentPrincipal() principal: Principal | undefined) {
    return this.tickets.issue(principal ?? DEV_PRINCIPAL);
  }

  @Post('auth/keys')
  @HttpCode(201)
  @RequireScopes('keys:admin')
  @Audited('service')
  @AuditAction('keys.create')
  @ApiOperation({ summary: 'Create an API key; the key is in this answer only' })
  createKey(
    @Body() dto: CreateKeyDto,
    @CurrentPrincipal() by: Principal | undefined,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.keys.create(
      {
        name: dto.name,
        scopes: dto.scopes,
        agent_ids: dto.agent_ids,
        expires_at: dto.expires_at ? new Date(dto.expires_at) : undefined,
      },
      by,
      audit,
    );
  }

  @Get('auth/keys')
  @RequireScopes('keys:admin')
  @ApiOperation({ summary: 'API keys (never the keys themselves): name, scopes, agent_ids, last use, revocation' })
  async listKeys(@Query() query: ListKeysQuery) {
    return { keys: await this.keys.list(query.include_revoked === 'true') };
  }

  @Delete('auth/keys/:id')
  @RequireScopes('keys:admin')
  @Audited('service')
  @AuditAction('keys.revoke')
  @ApiOperation({ summary: 'Revoke an API key (effective on every replica within seconds)' })
  revokeKey(
    @Param(
      'id',
      new ParseUUIDPipe({
        exceptionFactory: () =>
          new BadRequestException({
            message: 'id: must be the UUID of an API key',
            errors: [{ field: 'id', message: 'id: must be the UUID of an API key' }],
          }),
      }),
    )
    id: string,
    @CurrentAudit() audit: AuditScope | undefined,
  ) {
    return this.keys.revoke(id, audit);
  }

  @Get('audit')
  @RequireScopes('audit:read')
  @ApiOperation({
    summary: 'Audit events, newest first; filters actor, action, resource, outcome, service, since, until',
  })
  async auditEvents(@Query() query: AuditQuery) {
    const events = await this.audit.find({
      actor: query.actor,
      action: query.action,
      resource: query.resource,
      outcome: query.outcome,
      service: query.service,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      before: query.before,
      limit: query.limit ?? 100,
    });
    const last = events.at(-1);
    return { events, next_before: events.length === (query.limit ?? 100) && last ? last.id : null };
  }
}
