import { Controller, UseFilters, UsePipes } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createValidationPipe } from '@app/common';
import { TaskPatterns, TaskResultMessage, TaskStartedMessage, TaskWaitingMessage } from '@app/contracts';
import { RedisStreamsExceptionFilter } from '@app/transport';
import { STREAMS_TRANSPORT } from '../bus/streams-transport';
import { TasksService } from './tasks.service';

/**
 * What agent hosts report on ORCHESTRATOR_RESULTS_ADDRESS. The handler resolves after the change
 * committed, so the stream entry is acknowledged only once it is durable; a redelivery is a no-op.
 */
@Controller()
@UsePipes(createValidationPipe())
@UseFilters(new RedisStreamsExceptionFilter())
export class TaskResultsController {
  constructor(private readonly tasks: TasksService) {}

  @EventPattern(TaskPatterns.Started, STREAMS_TRANSPORT)
  started(@Payload() message: TaskStartedMessage): Promise<void> {
    return this.tasks.recordStarted(message);
  }

  @EventPattern(TaskPatterns.Result, STREAMS_TRANSPORT)
  result(@Payload() message: TaskResultMessage): Promise<void> {
    return this.tasks.recordResult(message);
  }

  @EventPattern(TaskPatterns.WaitingForModel, STREAMS_TRANSPORT)
  waitingForModel(@Payload() message: TaskWaitingMessage): Promise<void> {
    return this.tasks.recordWaitingForModel(message);
  }
}
