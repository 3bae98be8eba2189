import { BadRequestException } from '@nestjs/common';

/** A 400 naming one field, in the same shape the validation pipe gives. */
export function fieldError(field: string, message: string): BadRequestException {
  const text = `${field}: ${message}`;
  return new BadRequestException({ message: text, errors: [{ field, message: text }] });
}
