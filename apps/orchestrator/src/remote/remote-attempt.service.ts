import { Inject, Injectable, Logger } from '@nestjs/common';
import { TaskState } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { describeIssues, isOutputKind, validateOutput } from '@app/agents';
import { boundResult } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { TaskExecuteMessage, TaskResultMessage } from '@app/contracts';
import { attemptClaimOf, CancelSignals, TaskDeadlineSignal, TaskSupersededSignal } from '@app/persistence';
import { TasksService } from '../tasks/tasks.service';
import { attemptMessage, INTERRUPTED_STATES, RemoteTaskView, stateName, TERMINAL_STATES } from './a2a-exchange';
import { RemoteClients } from './remote-clients';
import type { RemoteAgent } from './remote-directory';
import { RemoteMetrics } from './remote-metrics';

const CANCEL_CALL_MS = 5_000;

type Outcome = Pick<TaskResultMessage, 'status' | 'error' | 'result'> | 'lost';

/**
 * One attempt of a task on a remote A2A agent, with the guarantees a host gives ours: canceled or
 * superseded attempts never call it, `task.started`, progress heartbeats, the deadline (abort +
 * CancelTask), cancel (→ CancelTask), streamed status updates as task events, the output validated
 * against the agent's output kind, and the result recorded through TasksService, the path the
 * results stream takes — before the stream entry is acknowledged.
 */
@Injectable()
export class RemoteAttempts {
  private readonly log = new Logger(RemoteAttempts.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TasksService,
    private readonly signals: CancelSignals,
    private readonly clients: RemoteClients,
    private readonly metrics: RemoteMetrics,
  ) {}

  /** `entryId`: the stream entry carrying `m`; a second entry for the same attempt is a copy and never runs. */
  async run(agent: RemoteAgent, m: TaskExecuteMessage, entryId: string): Promise<void> {
    const receivedAt = new Date().toISOString();
    const standing = await this.signals.standing(m.task_id, m.attempt, attemptClaimOf(m, entryId));
    if (standing.kind === 'duplicate') {
      this.log.warn(`task ${m.task_id} attempt ${m.attempt}: entry ${entryId} is a copy of ${standing.entry}; not run`);
      return;
    }
    if (standing.kind !== 'current') {
      const error =
        standing.kind === 'canceled'
          ? 'canceled before it started'
          : `superseded: attempt ${standing.current} replaces attempt ${m.attempt}`;
      return this.skip(m, 'canceled', error, receivedAt);
    }
    const startBy = new Date(m.deadline);
    if (startBy.getTime() <= Date.now())
      return this.skip(
        m,
        'failed',
        `deadline_exceeded: deadline ${startBy.toISOString()} passed before the task started`,
        receivedAt,
      );
    const deadline = m.timeout_seconds ? new Date(Date.now() + m.timeout_seconds * 1000) : startBy;

    const controller = new AbortController();
    const stopWatching = await this.signals.watch(m.task_id, controller, m.attempt);
    const timer = setTimeout(
      () => controller.abort(new TaskDeadlineSignal(deadline)),
      Math.max(0, deadline.getTime() - Date.now()),
    );
    let beat: NodeJS.Timeout | undefined;
    const startedAt = new Date().toISOString();
    const clock = this.metrics.seconds.startTimer({ agent_id: agent.agent_id });
    this.metrics.inFlight.inc({ agent_id: agent.agent_id });
    let outcome: Outcome;
    try {
      if (controller.signal.aborted) outcome = this.aborted(controller.signal, new RemoteTaskView());
      else {
        await this.tasks.recordStarted({
          task_id: m.task_id,
          attempt: m.attempt,
          agent_id: agent.agent_id,
          started_at: startedAt,
        });
        if (m.heartbeat_seconds)
          beat = setInterval(
            () =>
              void this.tasks
                .recordProgress({ task_id: m.task_id, attempt: m.attempt, agent_id: agent.agent_id })
                .catch((err: unknown) => this.log.warn(`heartbeat of ${m.task_id}: ${(err as Error).message}`)),
            m.heartbeat_seconds * 1000,
          );
        outcome = await this.call(agent, m, controller.signal);
      }
    } finally {
      clearTimeout(timer);
      clearInterval(beat);
      stopWatching();
      this.metrics.inFlight.dec({ agent_id: agent.agent_id });
    }
    const label = outcome === 'lost' ? 'lost' : outcome.status;
    clock({ outcome: label });
    this.metrics.attempts.inc({ agent_id: agent.agent_id, outcome: label });
    if (outcome === 'lost') {
      // Like a host that died mid-task: no result; the attempt's deadline is now, so the sweeper re-dispatches it.
      this.log.warn(`${agent.agent_id} lost task ${m.task_id} attempt ${m.attempt}: re-dispatching`);
      await this.tasks.expireAttempt(m.task_id, m.attempt, agent.agent_id);
      return;
    }
    const { taskResultMaxBytes, taskErrorMaxChars } = this.config.limits;
    const message: TaskResultMessage = {
      task_id: m.task_id,
      attempt: m.attempt,
      agent_id: agent.agent_id,
      started_at: startedAt,
      completed_at: new Date().toISOString(),
      usage: { input_tokens: 0, output_tokens: 0 },
      model: `a2a:${agent.agent_id}`,
      ...outcome,
    };
    await this.tasks.recordResult(
      boundResult(message, { resultMaxBytes: taskResultMaxBytes, errorMaxChars: taskErrorMaxChars }),
    );
  }

  private async call(agent: RemoteAgent, m: TaskExecuteMessage, signal: AbortSignal): Promise<Outcome> {
    const view = new RemoteTaskView();
    let client: Client;
    try {
      client = await this.clients.get(agent);
    } catch (err) {
      return { status: 'failed', error: `remote agent ${agent.agent_id} cannot be called: ${(err as Error).message}` };
    }
    try {
      const stream = client.sendMessageStream(
        {
          tenant: agent.remote.endpoint.tenant,
          message: attemptMessage(m, agent.remote.output_kind),
          configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: false },
          metadata: {},
        },
        { signal },
      );
      for await (const event of stream) {
        const change = view.apply(event);
        if (change) await this.recordStatus(agent, m, view, change.state, change.text);
        if (TERMINAL_STATES.has(view.state) || INTERRUPTED_STATES.has(view.state)) break;
      }
    } catch (err) {
      if (signal.aborted) return this.abortedAndCanceled(client, agent, signal, view);
      if (isConnectionLoss(err)) return 'lost';
      return { status: 'failed', error: `remote agent ${agent.agent_id}: ${(err as Error).message}` };
    }
    if (signal.aborted) return this.abortedAndCanceled(client, agent, signal, view);
    return this.finalOutcome(agent, view);
  }

  private finalOutcome(agent: RemoteAgent, view: RemoteTaskView): Outcome {
    switch (view.state) {
      case TaskState.TASK_STATE_COMPLETED:
        return this.validated(agent, view);
      case TaskState.TASK_STATE_CANCELED:
        return { status: 'canceled', error: view.statusText ?? `canceled by remote agent ${agent.agent_id}` };
      case TaskState.TASK_STATE_FAILED:
      case TaskState.TASK_STATE_REJECTED:
        return {
          status: 'failed',
          error: `remote agent ${agent.agent_id} ${stateName(view.state)}${view.statusText ? `: ${view.statusText}` : ''}`,
        };
      case TaskState.TASK_STATE_INPUT_REQUIRED:
      case TaskState.TASK_STATE_AUTH_REQUIRED:
        return {
          status: 'failed',
          error: `remote agent ${agent.agent_id} asked for ${stateName(view.state).replace('_', ' ')}, which a routed task cannot give`,
        };
      case TaskState.TASK_STATE_SUBMITTED:
      case TaskState.TASK_STATE_WORKING:
      case TaskState.TASK_STATE_UNSPECIFIED:
      case TaskState.UNRECOGNIZED:
        // The stream ended before a final state: the agent went away mid-task.
        return 'lost';
    }
  }

  /** The host's rule: a result is completed only when its output passes the output kind's validator. */
  private validated(agent: RemoteAgent, view: RemoteTaskView): Outcome {
    const kind = agent.remote.output_kind;
    const output = view.output();
    if (!output.found)
      return {
        status: 'failed',
        error: `validation: remote agent ${agent.agent_id} completed without a data artifact`,
      };
    if (!isOutputKind(kind))
      return { status: 'failed', error: `remote agent ${agent.agent_id} has no known output kind (${kind})` };
    const validation = validateOutput(kind, output.value);
    if (!validation.valid)
      return {
        status: 'failed',
        error: `validation: output failed ${kind} validation (${validation.errors.length} error(s)): ${describeIssues(validation.errors)}`,
      };
    return {
      status: 'completed',
      result: {
        output_kind: kind,
        output: output.value,
        model: `a2a:${agent.agent_id}`,
        usage: { input_tokens: 0, output_tokens: 0 },
        model_calls: 0,
        remote_task_id: view.remoteTaskId,
      },
    };
  }

  private async abortedAndCanceled(
    client: Client,
    agent: RemoteAgent,
    signal: AbortSignal,
    view: RemoteTaskView,
  ): Promise<Outcome> {
    // Our side stopped (cancel, supersede, deadline): the remote task must stop too.
    if (view.remoteTaskId && !TERMINAL_STATES.has(view.state)) {
      await client
        .cancelTask(
          { tenant: agent.remote.endpoint.tenant, id: view.remoteTaskId, metadata: {} },
          { signal: AbortSignal.timeout(CANCEL_CALL_MS) },
        )
        .catch((err: unknown) =>
          this.log.warn(`CancelTask of ${view.remoteTaskId} on ${agent.agent_id}: ${(err as Error).message}`),
        );
    }
    return this.aborted(signal, view);
  }

  private aborted(signal: AbortSignal, view: RemoteTaskView): Outcome {
    const reason: unknown = signal.reason;
    if (reason instanceof TaskDeadlineSignal)
      return { status: 'failed', error: `deadline_exceeded: ${reason.message}` };
    if (reason instanceof TaskSupersededSignal) return { status: 'canceled', error: reason.message };
    return {
      status: 'canceled',
      error: `canceled${view.remoteTaskId ? ` (remote task ${view.remoteTaskId} canceled)` : ''}`,
    };
  }

  private async recordStatus(
    agent: RemoteAgent,
    m: TaskExecuteMessage,
    view: RemoteTaskView,
    state: TaskState,
    text: string | null,
  ) {
    this.metrics.statusUpdates.inc({ agent_id: agent.agent_id, state: stateName(state) });
    await this.tasks
      .recordRemoteStatus({
        task_id: m.task_id,
        attempt: m.attempt,
        agent_id: agent.agent_id,
        state: stateName(state),
        remote_task_id: view.remoteTaskId,
        message: text,
      })
      .catch((err: unknown) => this.log.warn(`status event of ${m.task_id}: ${(err as Error).message}`));
  }

  private async skip(m: TaskExecuteMessage, status: 'canceled' | 'failed', error: string, at: string): Promise<void> {
    this.log.log(`task ${m.task_id} on ${m.agent_id} not sent: ${error}`);
    this.metrics.attempts.inc({ agent_id: m.agent_id, outcome: 'skipped' });
    await this.tasks.recordResult({
      task_id: m.task_id,
      attempt: m.attempt,
      agent_id: m.agent_id,
      status,
      error,
      started_at: at,
      completed_at: at,
    });
  }
}

const LOST_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Errors that mean the agent is gone (fetch could not connect, or the stream was cut), not that it refused the task. */
export function isConnectionLoss(err: unknown): boolean {
  // Duck-typed: fetch's errors may come from another realm (Error subclasses of undici), where instanceof fails.
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && LOST_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && /fetch failed|terminated|other side closed|socket hang up/i.test(e.message))
      return true;
  }
  return false;
}
