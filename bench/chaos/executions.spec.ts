import { countExecutions } from './executions';

describe('countExecutions (fault campaign)', () => {
  it('counts a repair call as part of its execution and a task run by two processes twice', () => {
    const log = ['1000 11 t1 1', '1100 11 t1 1', '1000 12 t2 1', '5000 13 t2 2', ''].join('\n');
    const count = countExecutions(log, []);
    expect(count).toMatchObject({ calls: 4, executions: 3, tasks: 2, afterHostDeath: 0, unexplained: 1 });
    expect(count.unexplainedTasks).toEqual(['t2']);
  });

  it('allows a re-execution after the host that ran the first one was killed, not one before the kill', () => {
    const log = ['1000 12 t2 1', '5000 13 t2 2', '1000 14 t3 1', '1500 15 t3 1'].join('\n');
    const count = countExecutions(log, [
      { pid: 12, at: 2000 }, // between t2's executions: explained
      { pid: 14, at: 3000 }, // after t3's second execution: not
    ]);
    expect(count).toMatchObject({
      executions: 4,
      afterHostDeath: 1,
      longestCutMs: 1000,
      unexplained: 1,
      unexplainedTasks: ['t3'],
    });
  });

  it('ignores calls that belong to no task', () => {
    expect(countExecutions('1000 11 - 0\n', [])).toMatchObject({ calls: 0, executions: 0, tasks: 0 });
  });
});
