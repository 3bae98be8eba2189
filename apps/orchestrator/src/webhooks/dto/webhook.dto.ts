import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** What a subscription can ask for; the outbox triggers (migration 1765700300000) emit exactly these. */
export const WEBHOOK_EVENT_TYPES = [
  'task.status_changed',
  'run.status_changed',
  'approval.needed',
  'dead_letter.created',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://hooks.example.com/expert-agents',
    description:
      'https (http only where WEBHOOK_ALLOW_HTTP); never a private address unless allowed; redirects are not followed',
  })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['run.status_changed', 'approval.needed'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, {
    each: true,
    message: `event_types must each be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
  })
  event_types!: WebhookEventType[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of this task (omit both task_id and run_id: all)' })
  @IsOptional()
  @IsUUID()
  task_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of this workflow run and of its tasks' })
  @IsOptional()
  @IsUUID()
  run_id?: string;

  @ApiPropertyOptional({ example: 'release dashboard' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class WebhookIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  webhook_id!: string;
}

export class DeliveryIdParams extends WebhookIdParams {
  @ApiProperty({ example: '42', description: 'a delivery id' })
  @Matches(/^[1-9]\d{0,17}$/, { message: 'delivery_id must be a delivery id (a positive integer)' })
  delivery_id!: string;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'after must be the next_cursor of a previous page' })
  after?: string;
}
