import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RemoteModule } from '../remote/remote.module';
import { TasksModule } from '../tasks/tasks.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { A2aController, JSON_RPC_PARSE_ERROR } from './a2a.controller';
import { A2aHandlers } from './a2a-handlers.service';

const JSON_RPC_PATH = /^\/a2a\/(?:agents\/[^/]+\/)?jsonrpc(?:\?|$)/;
const JSON_RPC_MEDIA_TYPE = 'application/x-a2a-jsonrpc';

/** The orchestrator as an A2A server (docs/decisions/0100-a2a-task-mapping.md). */
@Module({
  imports: [TasksModule, WorkflowsModule, RemoteModule],
  controllers: [A2aController],
  providers: [A2aHandlers],
  exports: [A2aHandlers],
})
export class A2aModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** HTTP+JSON clients may send application/a2a+json; it is JSON. */
  onModuleInit(): void {
    type Fastify = {
      hasContentTypeParser(t: string): boolean;
      addContentTypeParser: (...a: unknown[]) => void;
      getDefaultJsonParser: (a: string, b: string) => unknown;
      addHook: (name: 'onRequest', hook: (req: FastifyRequest, reply: unknown, done: () => void) => void) => void;
    };
    const fastify = this.adapterHost.httpAdapter?.getInstance<Fastify>();
    if (!fastify) return;
    // The SDK's HTTP+JSON client posts :cancel and :subscribe with a JSON content type and no body.
    fastify.addHook('onRequest', (req, _reply, done) => {
      const length = req.headers['content-length'];
      const empty = length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined);
      if (empty && req.url.startsWith('/a2a/')) delete req.headers['content-type'];
      // JSON-RPC answers malformed JSON with its own parse error (-32700), so its bodies get a parser that never throws.
      else if (JSON_RPC_PATH.test(req.url) && /^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        req.headers['content-type'] = JSON_RPC_MEDIA_TYPE;
      done();
    });
    if (!fastify.hasContentTypeParser(JSON_RPC_MEDIA_TYPE))
      fastify.addContentTypeParser(
        JSON_RPC_MEDIA_TYPE,
        { parseAs: 'string' },
        (_req: unknown, body: string, done: (err: null, value: unknown) => void) => {
          try {
            done(null, JSON.parse(body));
          } catch {
            done(null, JSON_RPC_PARSE_ERROR);
          }
        },
      );
    if (fastify.hasContentTypeParser('application/a2a+json')) return;
    fastify.addContentTypeParser(
      'application/a2a+json',
      { parseAs: 'string' },
      fastify.getDefaultJsonParser('error', 'error'),
    );
  }
}
