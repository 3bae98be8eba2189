import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { formatSSEErrorEvent, formatSSEEvent, SSE_HEADERS, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  AgentExecutor,
  DefaultRequestHandler,
  defaultServerCallContextBuilder,
  ExecutionEventBus,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  RequestContext,
  UnauthenticatedUser,
} from '@a2a-js/sdk/server';
import type { AgentCard } from '@a2a-js/sdk';

export type Mode = 'complete' | 'hang' | 'invalid';

/**
 * An outside A2A agent for tests: the SDK's DefaultRequestHandler (JSON-RPC, streaming) behind a
 * plain node:http server, serving its card at /.well-known/agent-card.json. It records what it
 * received (messages, CancelTask calls) and can be killed (sockets destroyed, like a crash) and
 * started again on the same port.
 */
export class FakeRemoteAgent {
  mode: Mode = 'complete';
  latencyMs = 50;
  cardStatus = 200;
  /** When set, the card URL answers 302 to this location. */
  redirectTo?: string;
  /** The card served; tests break it on purpose. */
  card!: Record<string, unknown>;
  readonly received: { taskId: string; metadata: Record<string, unknown>; input: unknown }[] = [];
  readonly canceled: string[] = [];
  /** GETs of the card (registrations and probes). */
  cardFetches = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private handler!: JsonRpcTransportHandler;
  private readonly cancels = new Map<string, () => void>();
  port = 0;

  constructor(
    private readonly name: string,
    private readonly skills: Record<string, unknown>[],
    private readonly output: unknown,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get cardUrl(): string {
    return `${this.origin}/.well-known/agent-card.json`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.card = {
      name: this.name,
      description: `${this.name}, an outside agent under test`,
      version: '1.0.0',
      supportedInterfaces: [{ url: `${this.origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
      capabilities: { streaming: true, pushNotifications: false },
      defaultInputModes: ['text/plain', 'application/json'],
      defaultOutputModes: ['application/json'],
      skills: this.skills,
    };
    const executor = this.executor();
    this.handler = new JsonRpcTransportHandler(
      new DefaultRequestHandler(this.card as unknown as AgentCard, new InMemoryTaskStore(), executor),
    );
    return this;
  }

  /** A crash: every connection cut at once, nothing answers until start() again. */
  async kill(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    for (const stop of this.cancels.values()) stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  private executor(): AgentExecutor {
    return {
      execute: async (ctx: RequestContext, bus: ExecutionEventBus) => {
        const ref = { id: ctx.taskId, contextId: ctx.contextId };
        const data = ctx.userMessage.parts.find((p) => p.content?.$case === 'data')?.content;
        this.received.push({
          taskId: ref.id,
          metadata: { ...(ctx.userMessage.metadata ?? {}) },
          input: data?.$case === 'data' ? data.value : undefined,
        });
        bus.publish(
          AgentEvent.task({
            id: ref.id,
            contextId: ref.contextId,
            status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
            artifacts: [],
            history: [ctx.userMessage],
            metadata: {},
          }),
        );
        bus.publish(AgentEvent.statusUpdate(status(ref, TaskState.TASK_STATE_WORKING, 'working on it')));
        const stopped = await this.wait(ref.id, this.mode === 'hang' ? 3_600_000 : this.latencyMs);
        if (stopped) return bus.finished();
        bus.publish(
          AgentEvent.artifactUpdate({
            taskId: ref.id,
            contextId: ref.contextId,
            artifact: {
              artifactId: randomUUID(),
              name: 'result',
              description: '',
              parts: [
                {
                  content: { $case: 'data', value: this.mode === 'invalid' ? { nonsense: true } : this.output },
                  mediaType: 'application/json',
                  filename: '',
                  metadata: {},
                },
              ],
              metadata: {},
              extensions: [],
            },
            append: false,
            lastChunk: true,
            metadata: {},
          }),
        );
        bus.publish(AgentEvent.statusUpdate(status(ref, TaskState.TASK_STATE_COMPLETED, 'done')));
        bus.finished();
      },
      cancelTask: (taskId: string, bus: ExecutionEventBus) => {
        this.canceled.push(taskId);
        this.cancels.get(taskId)?.();
        bus.publish(
          AgentEvent.statusUpdate(status({ id: taskId, contextId: '' }, TaskState.TASK_STATE_CANCELED, 'canceled')),
        );
        bus.finished();
        return Promise.resolve();
      },
    };
  }

  /** Resolves true when the task was canceled (or the agent killed) before `ms` passed. */
  private wait(taskId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.cancels.delete(taskId);
        resolve(false);
      }, ms);
      this.cancels.set(taskId, () => {
        clearTimeout(timer);
        this.cancels.delete(taskId);
        resolve(true);
      });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/.well-known/agent-card.json' && this.redirectTo) {
      res.writeHead(302, { location: this.redirectTo }).end();
      return;
    }
    if (req.method === 'GET' && req.url === '/.well-known/agent-card.json') {
      this.cardFetches += 1;
      res.writeHead(this.cardStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.card));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/a2a/jsonrpc') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const context = defaultServerCallContextBuilder({
      extensions: undefined,
      user: new UnauthenticatedUser(),
      headers: req.headers,
      requestedVersion: (req.headers['a2a-version'] as string | undefined) ?? undefined,
    });
    const out = await this.handler.handle(body, context);
    if (out && typeof (out as AsyncGenerator)[Symbol.asyncIterator] === 'function') {
      res.writeHead(200, SSE_HEADERS);
      try {
        for await (const event of out as AsyncGenerator<unknown>) res.write(formatSSEEvent(event));
      } catch (error) {
        res.write(formatSSEErrorEvent(JsonRpcTransportHandler.mapToJSONRPCError(error)));
      }
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  }
}

function status(ref: { id: string; contextId: string }, state: TaskState, text: string) {
  return {
    taskId: ref.id,
    contextId: ref.contextId,
    status: {
      state,
      message: {
        messageId: randomUUID(),
        taskId: ref.id,
        contextId: ref.contextId,
        role: 2,
        parts: [
          { content: { $case: 'text' as const, value: text }, mediaType: 'text/plain', filename: '', metadata: {} },
        ],
        metadata: {},
        extensions: [],
        referenceTaskIds: [],
      },
      timestamp: new Date().toISOString(),
    },
    metadata: {},
  };
}
