import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { EventRow, toEventView } from './sql';
import { TaskEventView, TaskOutcomeNotice } from './task.types';

/** In-process fan-out of committed task changes: SSE streams and the workflow engine listen here. */
@Injectable()
export class TaskEventsHub {
  readonly events$ = new Subject<TaskEventView>();
  readonly outcomes$ = new Subject<TaskOutcomeNotice>();

  publishEvents(rows: EventRow[]): void {
    for (const row of rows) this.events$.next(toEventView(row));
  }

  publishOutcome(notice: TaskOutcomeNotice): void {
    this.outcomes$.next(notice);
  }
}
