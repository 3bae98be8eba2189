export type EngineErrorCode = 'RUN_NOT_WAITING' | 'INVALID_DECISION' | 'RUN_FINISHED';

/** A refused command (resume of a run that is not waiting, a decision not offered, ...). */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
