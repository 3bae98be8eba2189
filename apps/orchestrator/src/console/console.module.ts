import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ConsoleController } from './console.controller';

/** Serves the operator console at /console. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // Nest folds a trailing slash into /console; people type /console/ too.
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get('/console/', (_request, reply) => reply.redirect('/console', 302));
  }
}
