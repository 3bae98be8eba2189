import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainException } from '../errors/domain.exception';
import { flattenValidationErrors } from '../errors/validation-errors';
import { findInputProblem } from './input-inspection';

/**
 * Validates a bus payload into its class. Failure is a DomainException `invalid`, which the transport treats as
 * deliberate: the entry is dead-lettered (or a requester answered), never retried.
 */
export async function validateMessage<T extends object>(
  cls: ClassConstructor<T>,
  payload: unknown,
  what: string,
): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new DomainException('invalid', 'INVALID_MESSAGE', `${what}: payload must be a JSON object`);
  }
  // Before class-transformer recurses into it: depth, NUL and lone surrogates (PostgreSQL cannot store them).
  const problem = findInputProblem(payload, 'payload');
  if (problem) {
    throw new DomainException('invalid', 'INVALID_MESSAGE', `${what}: ${problem.message}`, { errors: [problem] });
  }
  const instance = plainToInstance(cls, payload);
  const errors = await validate(instance, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const fields = flattenValidationErrors(errors);
    throw new DomainException('invalid', 'INVALID_MESSAGE', `${what}: ${fields.map((f) => f.message).join('; ')}`, {
      errors: fields,
    });
  }
  return instance;
}
