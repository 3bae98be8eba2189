import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { RunEventView } from '../workflow-runs.repository';

/** The live feed of run events in this process: published after their transaction commits, followed by SSE readers. */
@Injectable()
export class RunEventStream {
  private readonly events$ = new Subject<RunEventView>();

  get live$(): Observable<RunEventView> {
    return this.events$;
  }

  publish(event: RunEventView): void {
    this.events$.next(event);
  }
}
