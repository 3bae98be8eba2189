import { All, Controller, Get, Logger, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { hasScope, Principal, Public, RequireScopes } from '@app/auth';
import {
  A2A_CONTENT_TYPE,
  AgentCard,
  ListTaskPushNotificationConfigsResponse,
  ListTasksResponse,
  SendMessageRequest,
  SendMessageResponse,
  StreamResponse,
  Task,
  TaskPushNotificationConfig,
  taskStateFromJSON,
} from '@a2a-js/sdk';
import { A2AError, RequestMalformedError, restStatusFor, toRestErrorBody } from '@a2a-js/sdk/errors';
import { JsonRpcTransportHandler, ServerCallContext, validateVersion } from '@a2a-js/sdk/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TEAM_SCOPE } from '@app/agents';
import { A2aEndpoint, A2aHandlers } from './a2a-handlers.service';
import { callContext, hasBearer, writeSse } from './a2a-http';
import { jsonRpcUnavailable, restUnavailable, unavailableOf } from './a2a-unavailable';

type Body = Record<string, unknown> | undefined;
/** What the JSON-RPC body parser (A2aModule) hands over for a body that is not JSON. */
export const JSON_RPC_PARSE_ERROR = Object.freeze({ __a2aParseError: true });
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The A2A bindings at the paths the cards name: the team at /a2a/{jsonrpc,rest} (card at
 * /.well-known/agent-card.json) and each catalog agent at /a2a/agents/{agent_id}/...
 */
@ApiExcludeController()
@Controller()
export class A2aController {
  private readonly log = new Logger(A2aController.name);
  private readonly rpc = new WeakMap<A2aEndpoint, JsonRpcTransportHandler>();

  constructor(private readonly handlers: A2aHandlers) {}

  private endpoint(scope: string): A2aEndpoint {
    const e = this.handlers.get(scope);
    if (!e) throw new NotFoundException(`agent_id: no catalog or remote agent ${scope}`);
    return e;
  }

  @Get('.well-known/agent-card.json')
  @Public()
  teamCard(@Req() req: FastifyRequest) {
    return this.card(TEAM_SCOPE, req);
  }

  @Get('a2a/agents/:agent_id/agent-card.json')
  @Public()
  agentCard(@Param('agent_id') agentId: string, @Req() req: FastifyRequest) {
    return this.card(agentId, req);
  }

  private card(scope: string, req: FastifyRequest) {
    const card = this.handlers.cardJson(scope, `${req.protocol}://${req.host}`);
    if (!card) throw new NotFoundException(`agent_id: no catalog or remote agent ${scope}`);
    return card;
  }

  @Post('a2a/jsonrpc')
  @RequireScopes('tasks:read') // writes also need tasks:write, checked per method (mayWrite)
  teamJsonRpc(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.jsonRpc(this.endpoint(TEAM_SCOPE), req, reply);
  }

  @Post('a2a/agents/:agent_id/jsonrpc')
  @RequireScopes('tasks:read') // writes also need tasks:write, checked per method (mayWrite)
  agentJsonRpc(@Param('agent_id') agentId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.jsonRpc(this.endpoint(agentId), req, reply);
  }

  @All('a2a/rest/*')
  @RequireScopes('tasks:read') // writes also need tasks:write, checked per method (mayWrite)
  teamRest(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.rest(this.endpoint(TEAM_SCOPE), req, reply);
  }

  @All('a2a/agents/:agent_id/rest/*')
  @RequireScopes('tasks:read') // writes also need tasks:write, checked per method (mayWrite)
  agentRest(@Param('agent_id') agentId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.rest(this.endpoint(agentId), req, reply);
  }

  /** Internal errors keep their text in the log only. */
  private safe(error: unknown, req: FastifyRequest): unknown {
    if (error instanceof A2AError) return error;
    this.log.error(`A2A request ${String(req.id)} failed: ${(error as Error)?.stack ?? String(error)}`);
    return new Error(`internal error (request_id ${String(req.id)})`);
  }

  /** A full backlog or an outage: 503 + Retry-After in the binding's error body (a2a-unavailable.ts). */
  private busy(
    reply: FastifyReply,
    error: unknown,
    body: (u: NonNullable<ReturnType<typeof unavailableOf>>) => unknown,
  ) {
    const u = unavailableOf(error);
    if (!u) return false;
    void reply.status(503).header('retry-after', String(u.retryAfterSeconds)).send(body(u));
    return true;
  }

  private async jsonRpc(endpoint: A2aEndpoint, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (req.body === JSON_RPC_PARSE_ERROR) {
      void reply
        .status(200)
        .send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Invalid JSON payload.' } });
      return;
    }
    const body = req.body as Body;
    const id = isObj(body) && (typeof body.id === 'string' || typeof body.id === 'number') ? body.id : null;
    const fail = (error: unknown) => ({
      jsonrpc: '2.0',
      id,
      error: JsonRpcTransportHandler.mapToJSONRPCError(this.safe(error, req)),
    });
    let transport = this.rpc.get(endpoint);
    if (!transport) this.rpc.set(endpoint, (transport = new JsonRpcTransportHandler(endpoint.handler)));
    try {
      const context = callContext(req);
      validateVersion(context.requestedVersion, await endpoint.handler.getAgentCard(), 'JSONRPC');
      if (isObj(body) && body.method === 'GetExtendedAgentCard' && !hasBearer(req)) {
        void reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send({
            jsonrpc: '2.0',
            id,
            error: { code: -32600, message: 'authentication required: Authorization: Bearer <credential>' },
          });
        return;
      }
      if (isObj(body) && typeof body.method === 'string' && WRITE_METHODS.has(body.method) && !mayWrite(req)) {
        void reply.status(403).send({
          jsonrpc: '2.0',
          id,
          error: { code: -32600, message: `${body.method} needs the scope tasks:write` },
        });
        return;
      }
      // The SDK's JSON-RPC handler turns any thrown error into a 200 internal error: refuse new work before it.
      if (isObj(body) && SEND_METHODS.has(String(body.method)) && !hasTaskId(body.params))
        this.handlers.assertBacklogRoom();
      const out = await transport.handle(body ?? {}, context);
      if (out && typeof (out as AsyncGenerator)[Symbol.asyncIterator] === 'function') {
        const it = (out as AsyncGenerator<unknown>)[Symbol.asyncIterator]();
        let first: IteratorResult<unknown>;
        try {
          first = await it.next();
        } catch (error) {
          if (this.busy(reply, error, (u) => jsonRpcUnavailable(id, u))) return;
          void reply.status(200).send(fail(error));
          return;
        }
        await writeSse(reply, first, it, (e) => e, fail);
        return;
      }
      void reply.status(200).send(out);
    } catch (error) {
      if (this.busy(reply, error, (u) => jsonRpcUnavailable(id, u))) return;
      const response = fail(error);
      void reply.status(response.error.code === -32603 ? 500 : 200).send(response);
    }
  }

  private async rest(endpoint: A2aEndpoint, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = (req.params as Record<string, string>)['*'] ?? '';
    const query = req.query as Record<string, string | undefined>;
    const body = isObj(req.body) ? req.body : {};
    const h = endpoint.handler;
    const send = (status: number, json?: unknown) => {
      if (status === 204) return void reply.status(204).send();
      void reply.status(status).header('content-type', A2A_CONTENT_TYPE).send(JSON.stringify(json));
    };
    const stream = async (gen: AsyncGenerator<StreamResponse>) => {
      const it = gen[Symbol.asyncIterator]();
      const first = await it.next();
      await writeSse(
        reply,
        first,
        it,
        (e) => StreamResponse.toJSON(e),
        (error) => {
          const safe = this.safe(error, req);
          return toRestErrorBody(safe, restStatusFor(safe));
        },
      );
    };
    try {
      const context: ServerCallContext = callContext(req);
      const card = await h.getAgentCard();
      validateVersion(context.requestedVersion, card, 'HTTP+JSON');
      const m = req.method;
      if (m !== 'GET' && !mayWrite(req)) {
        void reply.status(403).send({
          error: {
            code: 403,
            status: 'PERMISSION_DENIED',
            message: `${m} /${path} needs the scope tasks:write`,
            details: [],
          },
        });
        return;
      }
      const parts = path.split('/');
      const taskAction = /^([^/:]+):(subscribe|cancel)$/.exec(parts[1] ?? '');
      if (m === 'GET' && path === 'extendedAgentCard') {
        if (!hasBearer(req)) {
          void reply
            .status(401)
            .header('www-authenticate', 'Bearer')
            .send({
              error: {
                code: 401,
                status: 'UNAUTHENTICATED',
                message: 'authentication required: Authorization: Bearer <credential>',
                details: [],
              },
            });
          return;
        }
        return send(200, AgentCard.toJSON(await h.getAuthenticatedExtendedAgentCard({ tenant: '' }, context)));
      }
      if (m === 'POST' && (path === 'message:send' || path === 'message:stream')) {
        const params = SendMessageRequest.fromJSON(body);
        if (!params.message) throw new RequestMalformedError('message is required');
        if (path === 'message:stream') return await stream(h.sendMessageStream(params, context));
        const result = await h.sendMessage(params, context);
        const payload =
          'messageId' in result
            ? { $case: 'message' as const, value: result }
            : { $case: 'task' as const, value: result };
        return send(200, SendMessageResponse.toJSON({ payload }));
      }
      if (parts[0] === 'tasks' && parts.length === 1 && m === 'GET') {
        const int = (name: string): number | undefined => {
          const v = query[name];
          if (v === undefined || v === '') return undefined;
          if (!/^\d+$/.test(v)) throw new RequestMalformedError(`${name} must be a non-negative integer`);
          return Number(v);
        };
        const params = {
          tenant: '',
          contextId: query.contextId ?? '',
          status: (query.status ? taskStateOf(query.status) : 0) as never,
          pageSize: int('pageSize'),
          pageToken: query.pageToken ?? '',
          historyLength: int('historyLength'),
          statusTimestampAfter: query.statusTimestampAfter || undefined,
          includeArtifacts: query.includeArtifacts === 'true',
        };
        return send(200, ListTasksResponse.toJSON(await h.listTasks(params, context)));
      }
      if (parts[0] === 'tasks' && taskAction && parts.length === 2) {
        const [, taskId, action] = taskAction;
        if (action === 'subscribe' && (m === 'GET' || m === 'POST'))
          return await stream(h.resubscribe({ id: taskId, tenant: '' }, context));
        if (action === 'cancel' && m === 'POST')
          return send(200, Task.toJSON(await h.cancelTask({ id: taskId, tenant: '', metadata: {} }, context)));
      }
      if (parts[0] === 'tasks' && parts.length === 2 && m === 'GET') {
        const hl = query.historyLength;
        if (hl !== undefined && !/^\d+$/.test(hl))
          throw new RequestMalformedError('historyLength must be a non-negative integer');
        const params = { id: parts[1], tenant: '', ...(hl !== undefined ? { historyLength: Number(hl) } : {}) };
        return send(200, Task.toJSON(await h.getTask(params, context)));
      }
      if (parts[0] === 'tasks' && parts[2] === 'pushNotificationConfigs') {
        const taskId = parts[1];
        if (parts.length === 3 && m === 'POST') {
          const config = TaskPushNotificationConfig.fromJSON({ ...body, taskId });
          return send(
            201,
            TaskPushNotificationConfig.toJSON(await h.createTaskPushNotificationConfig(config, context)),
          );
        }
        if (parts.length === 3 && m === 'GET')
          return send(
            200,
            ListTaskPushNotificationConfigsResponse.toJSON(
              await h.listTaskPushNotificationConfigs({ taskId, tenant: '', pageSize: 0, pageToken: '' }, context),
            ),
          );
        if (parts.length === 4 && m === 'GET')
          return send(
            200,
            TaskPushNotificationConfig.toJSON(
              await h.getTaskPushNotificationConfig({ taskId, id: parts[3], tenant: '' }, context),
            ),
          );
        if (parts.length === 4 && m === 'DELETE') {
          await h.deleteTaskPushNotificationConfig({ taskId, id: parts[3], tenant: '' }, context);
          return send(204);
        }
      }
      throw new NotFoundException(`no A2A operation ${m} /${path}`);
    } catch (error) {
      if (error instanceof NotFoundException) throw error;
      if (reply.sent) return;
      if (this.busy(reply, error, restUnavailable)) return;
      const safe = this.safe(error, req);
      const status = restStatusFor(safe);
      send(status, toRestErrorBody(safe, status));
    }
  }
}

function taskStateOf(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n)) return n;
  const s: number = taskStateFromJSON(value);
  if (s === -1) throw new RequestMalformedError(`status: unknown task state "${value}"`);
  return s;
}

/** JSON-RPC methods that send a message: without a taskId, new work (a task or a workflow run). */
const SEND_METHODS = new Set(['SendMessage', 'SendStreamingMessage', 'message/send', 'message/stream']);
const hasTaskId = (params: unknown) =>
  isObj(params) && isObj(params.message) && typeof params.message.taskId === 'string' && params.message.taskId !== '';

/** JSON-RPC methods that create, change or delete something: they need tasks:write, not only tasks:read. */
const WRITE_METHODS = new Set([
  'SendMessage',
  'SendStreamingMessage',
  'CancelTask',
  'CreateTaskPushNotificationConfig',
  'SetTaskPushNotificationConfig',
  'DeleteTaskPushNotificationConfig',
  'message/send',
  'message/stream',
  'tasks/cancel',
  'tasks/pushNotificationConfig/set',
  'tasks/pushNotificationConfig/delete',
]);

function mayWrite(req: FastifyRequest): boolean {
  const principal = (req as FastifyRequest & { principal?: Principal }).principal;
  return principal !== undefined && hasScope(principal, 'tasks:write');
}
