import { BadRequestException, ValidationError } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** Flattens class-validator's tree into one entry per failed constraint, with the full field path. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      // class-validator starts messages with the bare property; name the full path instead.
      // forbidNonWhitelisted says "property x should not exist": name the full path there too.
      const unknown = `property ${error.property} `;
      const text = message.startsWith(`${error.property} `)
        ? `${field}${message.slice(error.property.length)}`
        : message.startsWith(unknown)
          ? `${field} ${message.slice(unknown.length)}`
          : message;
      out.push({ field, message: text });
    }
    if (error.children && error.children.length > 0) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  return fieldErrorsException(flattenValidationErrors(errors));
}

/** The one 400 a validation failure answers with: every message joined, and one entry per bad field. */
export function fieldErrorsException(fieldErrors: FieldError[]): BadRequestException {
  return new BadRequestException({
    message: fieldErrors.map((e) => e.message).join('; '),
    errors: fieldErrors,
  });
}
