import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditService } from './audit.service';
import { AuditScopeHolder } from './audit-scope';

export type AuditedRequest = FastifyRequest & AuditScopeHolder;

/**
 * The edge's part of the audit of an HTTP mutation that passed the guard (refusals are written by
 * the guard): when the service did not write the row in the change's transaction (see AuditScope),
 * one row with the final status (a validation error, a refused or failed change, a change with no
 * PostgreSQL transaction), before the answer leaves so whoever sees the answer can find the row.
 * A Fastify hook, not a Nest interceptor: a global interceptor would turn an SSE route's 404 into
 * a 200 stream and costs every request.
 */
@Injectable()
export class AuditHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const scope = (request as AuditedRequest).auditScope;
      if (!scope || scope.isWritten) return done(null, payload);
      const status = reply.statusCode;
      void this.audit.settle(scope, status < 400, status).then(() => done(null, payload));
    });
  }
}
