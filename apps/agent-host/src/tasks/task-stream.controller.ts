import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { TaskExecuteMessage, TaskPatterns } from '@app/contracts';
import { RedisStreamsContext, RedisStreamsExceptionFilter } from '@app/transport';
import { validateMessage } from '@app/edge';
import { TaskExecutionService } from './task-execution.service';
import { Public } from '@app/auth';

/** `task.execute` entries of the hosted agents' streams. */
@Controller()
@UseFilters(new RedisStreamsExceptionFilter())
export class TaskStreamController {
  constructor(private readonly execution: TaskExecutionService) {}

  @MessagePattern(TaskPatterns.Execute)
  @Public()
  async execute(@Payload() payload: unknown, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    const message = await validateMessage(TaskExecuteMessage, payload, TaskPatterns.Execute);
    await this.execution.execute(message, ctx.getAddress(), ctx.getEntryId());
  }
}
