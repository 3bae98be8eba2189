import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import { compileSchema, TaskStartedMessage } from '@app/contracts';
import { FastPathValidationPipe } from './validation.pipe';

const started = {
  task_id: '6f1c1f7e-2b1a-4c55-9d8e-0a1b2c3d4e5f',
  attempt: 1,
  agent_id: 'DEV-001',
  started_at: '2026-12-02T10:00:00.000Z',
};
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

async function refusal(run: Promise<unknown>): Promise<unknown> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  return (error as BadRequestException).getResponse();
}

class Counted {
  @IsString() name!: string;
  @IsInt() @Min(1) count!: number;
  static readonly fastCheck = compileSchema({
    type: 'object',
    properties: { name: { type: 'string', minLength: 2 }, count: { type: 'integer', minimum: 1 } },
    required: ['name', 'count'],
    additionalProperties: false,
  });
}

describe('FastPathValidationPipe', () => {
  const pipe = new FastPathValidationPipe();

  it('passes a valid bus message on as it is (its schema, no class-validator)', async () => {
    await expect(pipe.transform(started, body(TaskStartedMessage))).resolves.toBe(started);
  });

  it('drops top-level nulls, then refuses naming every bad field in the one error body', async () => {
    const response = await refusal(
      pipe.transform({ ...started, attempt: 0, agent_id: null, colour: 'red' }, body(TaskStartedMessage)),
    );
    expect(response).toEqual({
      message: 'attempt must not be less than 1; agent_id is required; colour should not exist',
      errors: [
        { field: 'attempt', message: 'attempt must not be less than 1' },
        { field: 'agent_id', message: 'agent_id is required' },
        { field: 'colour', message: 'colour should not exist' },
      ],
    });
  });

  it('still refuses a non-object body and unstorable text before the schema', async () => {
    expect(await refusal(pipe.transform([started], body(TaskStartedMessage)))).toMatchObject({
      errors: [{ field: 'body' }],
    });
    expect(
      await refusal(pipe.transform({ ...started, agent_id: 'DEV\u0000' }, body(TaskStartedMessage))),
    ).toMatchObject({
      errors: [{ field: 'agent_id' }],
    });
  });

  it('takes the fast path of a DTO, and leaves what it refuses to class-validator', async () => {
    const fast = { name: 'ab', count: 2 };
    await expect(pipe.transform(fast, body(Counted))).resolves.toBe(fast);
    // Stricter than the decorators: class-validator decides, and returns the class's instance.
    await expect(pipe.transform({ name: 'a', count: 2 }, body(Counted))).resolves.toBeInstanceOf(Counted);
    expect(await refusal(pipe.transform({ name: 'a', count: 0 }, body(Counted)))).toMatchObject({
      errors: [{ field: 'count', message: 'count must not be less than 1' }],
    });
  });
});
