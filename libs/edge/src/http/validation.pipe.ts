import { ArgumentMetadata, BadRequestException, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import type { SchemaCheck } from '@app/contracts';
import { fieldErrorsException, validationExceptionFactory } from '../errors/validation-errors';
import { findInputProblem } from '../input/input-inspection';
import { withoutNulls } from '../input/without-nulls';

const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // Query strings and path params arrive as strings; DTOs convert with @Type where needed.
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: validationExceptionFactory,
  stopAtFirstError: false,
};

/** How a whole argument is named in an error when the problem is the argument itself (RPC payloads are 'body'). */
const ROOT_NAMES: Record<ArgumentMetadata['type'], string> = {
  body: 'body',
  query: 'query',
  param: 'path',
  custom: 'argument',
};

const isPlainObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const BUILT_INS: unknown[] = [String, Number, Boolean, Array, Object];
const isDtoClass = (metatype: unknown): boolean => typeof metatype === 'function' && !BUILT_INS.includes(metatype);

interface Checked {
  /** The whole contract of a bus message (@app/contracts): valid as it is, or refused naming every bad field. */
  schemaCheck?: SchemaCheck<unknown>;
  /** A compiled schema no looser than the class's decorators (an HTTP DTO): a fast path only. */
  fastCheck?: (value: unknown) => boolean;
}

/**
 * Nest's ValidationPipe, and one compiled JSON Schema per message (docs/decisions/0167):
 * - a class with a static `schemaCheck` (the bus messages of @app/contracts, which carry no decorators) is
 *   validated by it alone: a valid value goes on as it is, an invalid one is refused with one error per bad field;
 * - a class with a static `fastCheck` (an HTTP DTO whose contract is a schema, e.g. CreateTaskDto) lets a value that
 *   passes it through as it is, without class-transformer and class-validator (~10% of the orchestrator's CPU
 *   per task); anything else takes class-validator's path and gets its per-field errors;
 * - every other DTO takes class-validator's path.
 */
export class FastPathValidationPipe extends ValidationPipe {
  constructor() {
    super(OPTIONS);
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Before any decorator or class-transformer recurses into it, and before it can reach PostgreSQL.
    // Custom decorators (the request, a principal) are the server's own objects: not inspected.
    const root = metadata.type === 'custom' ? null : (metadata.data ?? ROOT_NAMES[metadata.type]);
    const problem = root === null ? null : findInputProblem(value, root);
    if (problem) return Promise.reject(new BadRequestException({ message: problem.message, errors: [problem] }));
    // class-transformer would turn an array (or a string) into an object keyed 0..n: say what the body must be.
    if (metadata.type === 'body' && isDtoClass(metadata.metatype) && !isPlainObject(value)) {
      const message = `${metadata.data ?? 'body'} must be a JSON object`;
      return Promise.reject(
        new BadRequestException({ message, errors: [{ field: metadata.data ?? 'body', message }] }),
      );
    }
    // @IsOptional() accepts null as "absent": make it absent, so no service ever stores or routes on a null.
    const input = isDtoClass(metadata.metatype) && isPlainObject(value) ? withoutNulls(value as object) : value;
    const { schemaCheck, fastCheck } = (metadata.metatype ?? {}) as Checked;
    if (typeof schemaCheck === 'function') {
      if (schemaCheck(input)) return Promise.resolve(input);
      return Promise.reject(fieldErrorsException(schemaCheck.issues(input)));
    }
    if (typeof fastCheck === 'function' && fastCheck(input)) return Promise.resolve(input);
    return super.transform(input, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new FastPathValidationPipe();
}
