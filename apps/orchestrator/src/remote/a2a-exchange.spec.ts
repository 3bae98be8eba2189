import { TaskState } from '@a2a-js/sdk';
import { RemoteTaskView } from './a2a-exchange';
import { isConnectionLoss } from './remote-attempt.service';

const part = (content: { $case: 'text'; value: string } | { $case: 'data'; value: unknown }) => ({
  content,
  mediaType: '',
  filename: '',
  metadata: {},
});
const artifact = (id: string, parts: ReturnType<typeof part>[]) => ({
  artifactId: id,
  name: id,
  description: '',
  parts,
  metadata: {},
  extensions: [],
});

describe('RemoteTaskView', () => {
  it('follows task, status and artifact events; the output is the first data part', () => {
    const v = new RemoteTaskView();
    v.apply({
      payload: {
        $case: 'task',
        value: {
          id: 'r1',
          contextId: 'c',
          status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: undefined },
          artifacts: [],
          history: [],
          metadata: {},
        },
      },
    });
    const change = v.apply({
      payload: {
        $case: 'statusUpdate',
        value: {
          taskId: 'r1',
          contextId: 'c',
          status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: undefined },
          metadata: {},
        },
      },
    });
    expect(change).toEqual({ state: TaskState.TASK_STATE_WORKING, text: null });
    v.apply({
      payload: {
        $case: 'artifactUpdate',
        value: {
          taskId: 'r1',
          contextId: 'c',
          artifact: artifact('a', [part({ $case: 'text', value: 'notes' })]),
          append: false,
          lastChunk: false,
          metadata: {},
        },
      },
    });
    v.apply({
      payload: {
        $case: 'artifactUpdate',
        value: {
          taskId: 'r1',
          contextId: 'c',
          artifact: artifact('a', [part({ $case: 'data', value: { x: 1 } })]),
          append: true,
          lastChunk: true,
          metadata: {},
        },
      },
    });
    expect(v.remoteTaskId).toBe('r1');
    expect(v.artifacts.get('a')?.parts).toHaveLength(2);
    expect(v.output()).toEqual({ found: true, value: { x: 1 } });
  });

  it('takes JSON text when no data part exists, and finds nothing in prose', () => {
    const v = new RemoteTaskView();
    v.artifacts.set('a', artifact('a', [part({ $case: 'text', value: '{"y":2}' })]));
    expect(v.output()).toEqual({ found: true, value: { y: 2 } });
    const prose = new RemoteTaskView();
    prose.artifacts.set('a', artifact('a', [part({ $case: 'text', value: 'hello' })]));
    expect(prose.output()).toEqual({ found: false });
  });
});

describe('isConnectionLoss', () => {
  it('recognises refused and cut connections, also through causes and plain objects', () => {
    expect(isConnectionLoss(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isConnectionLoss({ message: 'terminated' })).toBe(true);
    expect(isConnectionLoss(new Error('x', { cause: new Error('y', { cause: { code: 'UND_ERR_SOCKET' } }) }))).toBe(
      true,
    );
  });

  it('does not take an A2A error for a lost agent', () => {
    expect(isConnectionLoss(new Error('JSON-RPC error: Task not found (-32001)'))).toBe(false);
    expect(isConnectionLoss(undefined)).toBe(false);
  });
});
