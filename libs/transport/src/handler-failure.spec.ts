import { BadRequestException, InternalServerErrorException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { classifyFailure } from './handler-failure';

class FakeDomainException extends Error {
  constructor(
    readonly kind: string,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

describe('classifyFailure', () => {
  it('answers deliberate rejections instead of retrying them', () => {
    expect(classifyFailure(new RpcException({ code: 'X', message: 'no' }))).toMatchObject({
      retryable: false,
      reply: { code: 'X' },
    });
    expect(classifyFailure({ code: 'X', message: 'mapped by Nest' })).toMatchObject({ retryable: false });
    const recorded = { error: new BadRequestException('field a is wrong') };
    expect(classifyFailure({ status: 'error', message: 'Internal server error' }, recorded)).toMatchObject({
      retryable: false,
      reply: { statusCode: 400, message: 'field a is wrong' },
    });
    expect(classifyFailure(new FakeDomainException('not_found', 'TASK_NOT_FOUND', 'no task'))).toMatchObject({
      retryable: false,
      reply: { code: 'TASK_NOT_FOUND', kind: 'not_found' },
    });
  });

  it('answers a refusal that says when to come back (a full backlog) instead of redelivering it', () => {
    const full = new FakeDomainException('unavailable', 'TASK_BACKLOG_FULL', 'backlog: full', {
      retry_after_seconds: 5,
    });
    expect(classifyFailure(full)).toMatchObject({
      retryable: false,
      reply: { status: 'error', kind: 'unavailable', code: 'TASK_BACKLOG_FULL', details: { retry_after_seconds: 5 } },
    });
  });

  it('retries crashes, keeping the original error when a filter recorded it', () => {
    expect(classifyFailure(new Error('boom'))).toMatchObject({ retryable: true, description: 'Error: boom' });
    expect(classifyFailure({ status: 'error', message: 'Internal server error' })).toMatchObject({ retryable: true });
    expect(classifyFailure({}, { error: new InternalServerErrorException('db down') }).retryable).toBe(true);
    expect(classifyFailure(new FakeDomainException('unavailable', 'DB', 'db down')).retryable).toBe(true);
  });
});
