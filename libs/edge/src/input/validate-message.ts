import type { SchemaCheck } from '@app/contracts';
import { DomainException } from '../errors/domain.exception';
import { findInputProblem } from './input-inspection';
import { withoutNulls } from './without-nulls';

/** A message class of @app/contracts: it carries its schema, compiled (docs/decisions/0167). */
export interface SchemaChecked<T> {
  schemaCheck: SchemaCheck<T>;
}

/**
 * Validates a bus payload against its message's compiled schema. Null is absent, as for the validation pipe.
 * Failure is a DomainException `invalid` naming every bad field, which the transport treats as deliberate: the
 * entry is dead-lettered (or a requester answered), never retried.
 */
export function validateMessage<T>(type: SchemaChecked<T>, payload: unknown, what: string): Promise<T> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return Promise.reject(new DomainException('invalid', 'INVALID_MESSAGE', `${what}: payload must be a JSON object`));
  }
  // Depth, NUL and lone surrogates (PostgreSQL cannot store them), before anything reads it.
  const problem = findInputProblem(payload, 'payload');
  if (problem) {
    return Promise.reject(
      new DomainException('invalid', 'INVALID_MESSAGE', `${what}: ${problem.message}`, { errors: [problem] }),
    );
  }
  const message = withoutNulls(payload);
  if (type.schemaCheck(message)) return Promise.resolve(message);
  const fields = type.schemaCheck.issues(message);
  return Promise.reject(
    new DomainException('invalid', 'INVALID_MESSAGE', `${what}: ${fields.map((f) => f.message).join('; ')}`, {
      errors: fields,
    }),
  );
}
