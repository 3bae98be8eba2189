import { Controller, Headers, MessageEvent, Sse } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Observable, takeUntil } from 'rxjs';
import { lastEventId, withKeepAlive } from '@app/edge';
import { compareStreamIds, RegistryEvent, STREAM_ID } from './registry-event';
import { RegistryEventsService } from './registry-events.service';
import { AllowStreamTicket, RequireScopes } from '@app/auth';

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
      'Event types: registered, status_changed, offline_by_ttl, deregistered, load_changed. Each event has an `id:`; ' +
      'a reconnect with Last-Event-ID first gets the events it missed (from any replica), in order, then live ones; ' +
      'when the log no longer reaches back that far a `resync` event says to re-list. `: keep-alive` comments every 15 s.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id (sent on reconnect)' })
  @ApiOkResponse({ description: 'text/event-stream' })
  stream(@Headers('last-event-id') lastId?: string): Observable<MessageEvent> {
    const after = lastEventId(lastId, STREAM_ID, '1764900000000-0');
    return withKeepAlive(this.follow(after).pipe(takeUntil(this.events.closing$)));
  }

  /** Missed events first (when resuming), live ones buffered meanwhile; each id sent once, in order. */
  private follow(after: string | undefined): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let last = after;
      let buffer: RegistryEvent[] | undefined = after === undefined ? undefined : [];
      const emit = (event: RegistryEvent) => {
        if (event.id !== undefined && last !== undefined && compareStreamIds(event.id, last) <= 0) return;
        if (event.id !== undefined) last = event.id;
        subscriber.next({ id: event.id, type: event.type, data: event });
      };
      const live = this.events.events$.subscribe((event) => (buffer ? buffer.push(event) : emit(event)));
      if (after !== undefined) {
        this.events.since(after).then(
          ({ events, gap }) => {
            if (gap)
              subscriber.next({ type: 'resync', data: { reason: 'events after Last-Event-ID were trimmed; re-list' } });
            events.forEach(emit);
            const pending = buffer ?? [];
            buffer = undefined;
            pending.forEach(emit);
          },
          (error: unknown) => subscriber.error(error),
        );
      }
      return () => live.unsubscribe();
    });
  }
}
