import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../principal';
import { AuditService } from './audit.service';

/** What the guard leaves on a mutation it let through; the hook writes it with the final status. */
export interface PendingAudit {
  principal: Principal;
  action: string;
  resource: string;
}

export type AuditedRequest = FastifyRequest & { pendingAudit?: PendingAudit };

/**
 * One audit row per HTTP mutation that passed the guard (refusals are written by the guard),
 * with its final status (validation failures included), written before the answer leaves so
 * whoever sees the answer can find the row. A Fastify hook, not a Nest interceptor: a global
 * interceptor would turn an SSE route's 404 into a 200 stream and costs every request.
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
      const pending = (request as AuditedRequest).pendingAudit;
      if (!pending) return done(null, payload);
      (request as AuditedRequest).pendingAudit = undefined;
      const status = reply.statusCode;
      void this.audit
        .recordQuietly({
          ...pending,
          requestId: String(request.id),
          outcome: status < 400 ? 'success' : 'failure',
          statusCode: status,
        })
        .then(() => done(null, payload));
    });
  }
}
