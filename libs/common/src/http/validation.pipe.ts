import { ValidationPipe } from '@nestjs/common';
import { validationExceptionFactory } from '../errors/validation-errors';

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Query strings and path params arrive as strings; DTOs convert with @Type where needed.
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: validationExceptionFactory,
    stopAtFirstError: false,
  });
}
