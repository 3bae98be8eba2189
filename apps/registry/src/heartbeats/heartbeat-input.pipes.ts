import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { validationExceptionFactory } from '@app/edge';
import { AGENT_ID_MAX, AGENT_ID_PATTERN } from '../agents/agent-validation';
import { HeartbeatDto } from './dto/heartbeat.dto';

const AGENT_ID_MESSAGE = 'agent_id must look like DEV-001 (uppercase letters/digits, a dash, three digits)';

/**
 * The heartbeat is the hot path: its inputs are checked here without building DTO instances for
 * the common case (a valid id, no body). Errors have the same shape as the global ValidationPipe's.
 */
@Injectable()
export class HeartbeatAgentIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length > AGENT_ID_MAX || !AGENT_ID_PATTERN.test(value)) {
      throw new BadRequestException({
        message: AGENT_ID_MESSAGE,
        errors: [{ field: 'agent_id', message: AGENT_ID_MESSAGE }],
      });
    }
    return value;
  }
}

@Injectable()
export class HeartbeatBodyPipe implements PipeTransform<unknown, Promise<HeartbeatDto>> {
  async transform(value: unknown): Promise<HeartbeatDto> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new BadRequestException({
        message: 'body must be a JSON object',
        errors: [{ field: 'body', message: 'body must be a JSON object' }],
      });
    }
    if (Object.keys(value).length === 0) return {};
    const dto = plainToInstance(HeartbeatDto, value);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw validationExceptionFactory(errors);
    return dto;
  }
}
