import { Injectable } from '@nestjs/common';
import { mergeMap, Observable, share } from 'rxjs';
import { toEventView } from './sql';
import { TaskStore } from './store';
import { TaskEventView, TaskOutcomeNotice, TaskOutcomeStatus } from './task.types';

/** The committed changes as events (SSE streams) and final outcomes (the workflow engine, A2A). */
@Injectable()
export class TaskEventsHub {
  readonly events$: Observable<TaskEventView>;
  readonly outcomes$: Observable<TaskOutcomeNotice>;

  constructor(store: TaskStore) {
    this.events$ = store.commits$.pipe(
      mergeMap((c) => c.events.map(toEventView)),
      share(),
    );
    this.outcomes$ = store.commits$.pipe(
      mergeMap((c) =>
        c.finished.map((f) => ({
          task_id: f.task_id,
          workflow_run_id: f.workflow_run_id,
          status: f.status as TaskOutcomeStatus,
          result: f.result,
          error: f.error,
          agent_id: f.agent_id,
        })),
      ),
      share(),
    );
  }
}
