/** One SIGKILL of an agent host: which process died and when. */
export interface HostKill {
  pid: number;
  at: number;
}

export interface ExecutionCount {
  /** Model calls in the log. */
  calls: number;
  /** Executions: one task attempt run by one process (its repair calls are part of it). */
  executions: number;
  /** Distinct tasks executed at least once. */
  tasks: number;
  /** Executions of a task after the first, where a host that had run it was SIGKILLed in between (allowed). */
  afterHostDeath: number;
  /** The longest time from the start of an execution to the kill of its host, for those re-executions (ms). */
  longestCutMs: number;
  /** Every other execution after the first: work that ran twice although no host died (must be 0). */
  unexplained: number;
  /** A few task ids of unexplained re-executions, to look at. */
  unexplainedTasks: string[];
}

/**
 * Counts executions from SCRIPTED_CALL_LOG lines (`<ms> <pid> <task_id> <attempt>`). A re-execution is explained when
 * a process that ran an earlier execution of the task was SIGKILLed after that execution began and before this one
 * began: the issue allows exactly that ("except for attempts whose host died mid-execution").
 */
export function countExecutions(log: string, kills: HostKill[]): ExecutionCount {
  type Execution = { pid: number; attempt: string; at: number };
  const byTask = new Map<string, Execution[]>();
  let calls = 0;
  for (const line of log.split('\n')) {
    const [ms, pid, taskId, attempt] = line.trim().split(' ');
    if (!taskId || taskId === '-') continue;
    calls += 1;
    const runs = byTask.get(taskId) ?? [];
    const at = Number(ms);
    const same = runs.find((r) => r.pid === Number(pid) && r.attempt === attempt);
    if (same) same.at = Math.min(same.at, at);
    else runs.push({ pid: Number(pid), attempt, at });
    byTask.set(taskId, runs);
  }
  let executions = 0;
  let afterHostDeath = 0;
  let longestCutMs = 0;
  const unexplainedTasks: string[] = [];
  let unexplained = 0;
  for (const [taskId, runs] of byTask) {
    runs.sort((a, b) => a.at - b.at);
    executions += runs.length;
    for (let i = 1; i < runs.length; i++) {
      const cuts = runs
        .slice(0, i)
        .flatMap((earlier) =>
          kills
            .filter((k) => k.pid === earlier.pid && k.at >= earlier.at && k.at <= runs[i].at)
            .map((k) => k.at - earlier.at),
        );
      if (cuts.length > 0) {
        afterHostDeath += 1;
        longestCutMs = Math.max(longestCutMs, Math.min(...cuts));
      } else {
        unexplained += 1;
        if (unexplainedTasks.length < 10) unexplainedTasks.push(taskId);
      }
    }
  }
  return { calls, executions, tasks: byTask.size, afterHostDeath, longestCutMs, unexplained, unexplainedTasks };
}
