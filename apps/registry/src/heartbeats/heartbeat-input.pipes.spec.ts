import { BadRequestException } from '@nestjs/common';
import { HeartbeatAgentIdPipe, HeartbeatBodyPipe } from './heartbeat-input.pipes';

const fieldsOf = async (run: () => unknown): Promise<string[]> => {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { errors: { field: string }[] }).errors.map((e) => e.field);
  }
  throw new Error('expected a BadRequestException');
};

describe('HeartbeatAgentIdPipe', () => {
  const pipe = new HeartbeatAgentIdPipe();

  it('passes a valid id', () => {
    expect(pipe.transform('DEV-001')).toBe('DEV-001');
  });

  it.each(['dev-001', 'DEV-1', 'DEV_001', 'ABCDEFGHIJKLMNOPQRSTU-001', "DEV-001' OR 1=1"])(
    'rejects %s naming agent_id',
    async (id) => {
      expect(await fieldsOf(() => pipe.transform(id))).toEqual(['agent_id']);
    },
  );
});

describe('HeartbeatBodyPipe', () => {
  const pipe = new HeartbeatBodyPipe();

  it('treats no body and an empty object as no load report', async () => {
    expect(await pipe.transform(undefined)).toEqual({});
    expect(await pipe.transform({})).toEqual({});
  });

  it('accepts a load report', async () => {
    expect(await pipe.transform({ current_tasks: 2, max_tasks: 3 })).toMatchObject({ current_tasks: 2, max_tasks: 3 });
  });

  it.each([
    [{ current_tasks: -1 }, 'current_tasks'],
    [{ max_tasks: 0 }, 'max_tasks'],
    [{ current_tasks: 1.5 }, 'current_tasks'],
    [{ colour: 'blue' }, 'colour'],
    [[1, 2], 'body'],
  ])('rejects %j naming %s', async (body, field) => {
    expect(await fieldsOf(() => pipe.transform(body))).toContain(field);
  });
});
