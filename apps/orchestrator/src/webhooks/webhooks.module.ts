import { Module } from '@nestjs/common';
import { BusDeadLetterWebhooks } from './bus-dead-letters';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookMetricsModule } from './webhook.metrics';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * Webhook subscriptions and their delivery worker. Deliveries are written by database triggers in
 * the transaction of each change (docs/decisions/0150-webhook-outbox.md), so this module imports
 * nothing from tasks or workflows.
 */
@Module({
  imports: [WebhookMetricsModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookDeliveryWorker, BusDeadLetterWebhooks],
  exports: [BusDeadLetterWebhooks],
})
export class WebhooksModule {}
