import { Controller, UseFilters, UsePipes } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createValidationPipe } from '@app/edge';
import {
  TaskPatterns,
  TaskProgressMessage,
  TaskResultMessage,
  TaskStartedMessage,
  TaskWaitingMessage,
} from '@app/contracts';
import { RedisStreamsExceptionFilter } from '@app/transport';
import { STREAMS_TRANSPORT } from '../bus/streams-transport';
import { TasksService } from './tasks.service';
import { Public } from '@app/auth';

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
  @Public()
  started(@Payload() message: TaskStartedMessage): Promise<void> {
    return this.tasks.recordStarted(message);
  }

  @EventPattern(TaskPatterns.Progress, STREAMS_TRANSPORT)
  progress(@Payload() message: TaskProgressMessage): Promise<void> {
    return this.tasks.recordProgress(message);
  }

  @EventPattern(TaskPatterns.Result, STREAMS_TRANSPORT)
  @Public()
  result(@Payload() message: TaskResultMessage): Promise<void> {
    return this.tasks.recordResult(message);
  }

  @EventPattern(TaskPatterns.WaitingForModel, STREAMS_TRANSPORT)
  waitingForModel(@Payload() message: TaskWaitingMessage): Promise<void> {
    return this.tasks.recordWaitingForModel(message);
  }
}
