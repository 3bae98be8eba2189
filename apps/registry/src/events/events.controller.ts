import { Controller, MessageEvent, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { interval, map, merge, Observable, takeUntil } from 'rxjs';
import { RegistryEventsService } from './registry-events.service';
import { AllowStreamTicket, RequireScopes } from '@app/auth';

const KEEPALIVE_MS = 15_000;

@ApiTags('agents')
@Controller('api/agents')
export class EventsController {
  constructor(private readonly events: RegistryEventsService) {}

  // A static segment: Fastify's router matches it before /api/agents/:agent_id.
  @Sse('events')
  @RequireScopes('registry:read')
  @AllowStreamTicket()
  @ApiOperation({
    summary: 'Server-Sent Events of registry changes',
    description:
      'Event types: registered, status_changed, offline_by_ttl, deregistered, load_changed; "ping" every 15 s keeps proxies from closing the stream. Re-list after a reconnect.',
  })
  @ApiOkResponse({ description: 'text/event-stream' })
  stream(): Observable<MessageEvent> {
    const changes = this.events.events$.pipe(map((event): MessageEvent => ({ type: event.type, data: event })));
    const keepalive = interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: {} })));
    return merge(changes, keepalive).pipe(takeUntil(this.events.closing$));
  }
}
