import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { actorOf, CurrentPrincipal, Principal, RequireScopes } from '@app/auth';
import { CreateWebhookDto, DeliveryIdParams, ListDeliveriesQuery, WebhookIdParams } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @RequireScopes('webhooks:admin')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a URL to events (per task, per run, or all); the answer carries the signing secret, shown once',
  })
  create(@Body() dto: CreateWebhookDto, @CurrentPrincipal() principal?: Principal) {
    return this.webhooks.create(dto, actorOf(principal));
  }

  @Get()
  @RequireScopes('webhooks:admin')
  @ApiOperation({ summary: 'Every subscription with its delivery counts (no secrets)' })
  list() {
    return this.webhooks.list();
  }

  @Get(':webhook_id')
  @RequireScopes('webhooks:admin')
  @ApiOperation({ summary: 'One subscription with its delivery counts (no secret)' })
  get(@Param() p: WebhookIdParams) {
    return this.webhooks.get(p.webhook_id);
  }

  @Delete(':webhook_id')
  @RequireScopes('webhooks:admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription and its deliveries (pending ones are not sent)' })
  async delete(@Param() p: WebhookIdParams): Promise<void> {
    await this.webhooks.delete(p.webhook_id);
  }

  @Get(':webhook_id/deliveries')
  @RequireScopes('webhooks:admin')
  @ApiOperation({
    summary: 'Deliveries, newest first, with every attempt (filter by status; page with after=next_cursor)',
  })
  deliveries(@Param() p: WebhookIdParams, @Query() q: ListDeliveriesQuery) {
    return this.webhooks.deliveries(p.webhook_id, q.status, q.limit ?? 50, q.after);
  }

  @Post(':webhook_id/deliveries/replay')
  @RequireScopes('webhooks:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send every dead delivery again (those dead now), each with a fresh retry window' })
  replayDead(@Param() p: WebhookIdParams) {
    return this.webhooks.replayDead(p.webhook_id);
  }

  @Post(':webhook_id/deliveries/:delivery_id/replay')
  @RequireScopes('webhooks:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one dead delivery again (same event id, so receivers still deduplicate)' })
  replayOne(@Param() p: DeliveryIdParams) {
    return this.webhooks.replayOne(p.webhook_id, p.delivery_id);
  }
}
