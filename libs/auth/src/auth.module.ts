import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditHook } from './audit/audit-hook';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { RpcAuditInterceptor } from './audit/rpc-audit.interceptor';
import { AuthController } from './auth.controller';
import { AUTH_OPTIONS, AuthModuleOptions } from './auth.options';
import { AuthGuard } from './guard/auth.guard';
import { Authenticator } from './guard/authenticator';
import { RpcAuthorizer } from './guard/rpc-authorizer';
import { ApiKeysRepository } from './keys/api-keys.repository';
import { ApiKeysService } from './keys/api-keys.service';
import { RateLimitsService } from './limits/rate-limits.service';
import { SseLimitsService } from './limits/sse-limits.service';
import { OidcVerifier } from './oidc/oidc.verifier';
import { StreamTicketsService } from './tickets/stream-tickets.service';

/**
 * Authentication, authorization, rate limits and audit for one app: the global guard, the audit
 * hook, /api/auth/* and /api/audit. Needs DatabaseModule and RedisModule beside it.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      controllers: [AuthController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        ApiKeysRepository,
        ApiKeysService,
        AuditRepository,
        AuditService,
        OidcVerifier,
        Authenticator,
        StreamTicketsService,
        RateLimitsService,
        SseLimitsService,
        RpcAuthorizer,
        AuthGuard,
        { provide: APP_GUARD, useExisting: AuthGuard },
        AuditHook,
        RpcAuditInterceptor,
      ],
      // AuthGuard also guards message handlers with @UseGuards (global guards do not reach microservices).
      exports: [
        AuditService,
        ApiKeysService,
        Authenticator,
        AuthGuard,
        StreamTicketsService,
        RateLimitsService,
        SseLimitsService,
        RpcAuthorizer,
        RpcAuditInterceptor,
      ],
    };
  }
}
