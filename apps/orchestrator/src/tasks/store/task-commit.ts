import { Logger } from '@nestjs/common';
import type { Observable, Subscription } from 'rxjs';
import type { EventRow, FinishedRow, StartedRow } from '../sql';
import type { AcceptedTask } from '../task.types';

/** An attempt whose slot lease ends with the change (it finished, or it was canceled while out). */
export interface AttemptSlot {
  agent_id: string | null;
  task_id: string;
  attempt: number;
}

/** A task that reached its final status, with what its outcome carries. */
export interface FinishedTask extends FinishedRow {
  result: unknown;
  error: string | null;
}

/**
 * What one committed change of the tasks aggregate changed. The task store publishes each commit
 * once, after it committed, whoever made it (group commit, scan, sweeper, cancel, workflow step);
 * the stages downstream (events hub, metrics, dispatcher) each read what concerns them.
 */
export interface TaskCommit {
  /** New tasks; one with `route` was written already dispatched if `dispatched` has its attempt 1. */
  inserted: AcceptedTask[];
  /** Attempts recorded as dispatched. */
  dispatched: EventRow[];
  started: StartedRow[];
  finished: FinishedTask[];
  /** Slots to give back: attempts that ended. */
  freed: AttemptSlot[];
  /** Every event row the change wrote, in order. */
  events: EventRow[];
}

export function emptyCommit(): TaskCommit {
  return { inserted: [], dispatched: [], started: [], finished: [], freed: [], events: [] };
}

export function isEmptyCommit(c: TaskCommit): boolean {
  return c.events.length === 0 && c.inserted.length === 0 && c.freed.length === 0;
}

/**
 * Follows the commits: a stage that throws is logged and keeps following (an error thrown in an
 * RxJS subscriber would otherwise surface as an uncaught exception and end the process).
 */
export function followCommits(
  commits$: Observable<TaskCommit>,
  stage: string,
  handle: (commit: TaskCommit) => void,
): Subscription {
  const log = new Logger(stage);
  return commits$.subscribe((commit) => {
    try {
      handle(commit);
    } catch (error) {
      log.error(`a committed change was not followed up: ${(error as Error).message}`);
    }
  });
}
