/** Message patterns (the envelope's message_type) shared by the apps. */
export const TaskPatterns = {
  /** orchestrator → agent stream: run this attempt of a task. */
  Execute: 'task.execute',
  /** agent host → orchestrator.results: an attempt started. */
  Started: 'task.started',
  /** agent host → orchestrator.results: an attempt ended (completed | failed | canceled). */
  Result: 'task.result',
  /** agent host → orchestrator.results: an attempt is alive (tasks with a heartbeat timeout). */
  Progress: 'task.progress',
  /** agent host → orchestrator.results: an attempt's model call waits for the shared model limits. */
  WaitingForModel: 'task.waiting_for_model',
} as const;

/** What other backends call on the orchestrator (Redis Streams transport or Nest's Redis transport). */
export const OrchestratorPatterns = {
  SubmitTask: 'tasks.submit',
  GetTask: 'tasks.get',
  CancelTask: 'tasks.cancel',
  StartWorkflow: 'workflows.start',
  GetWorkflowRun: 'workflows.get',
} as const;
