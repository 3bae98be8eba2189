import { ListTasksRequest, ListTasksResponse, Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { Database } from '@app/persistence';
import { A2aOutcome, outcomeStatus } from './a2a-outcome';

export type A2aTaskKind = 'task' | 'workflow_run' | 'pending';

export interface A2aTaskLink {
  id: string;
  scope: string;
  context_id: string;
  kind: A2aTaskKind;
  target_id: string | null;
  task: Task;
}

const DEFAULT_PAGE_SIZE = 50;
export const TERMINAL_STATES: readonly TaskState[] = [
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
];

interface Row {
  id: string;
  scope: string;
  context_id: string;
  kind: A2aTaskKind;
  target_id: string | null;
  task: unknown;
  status_at: Date;
}

/** Opaque to clients: the (status time, id) of the last task of the previous page. */
function encodeToken(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeToken(token: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      if (!Number.isNaN(Date.parse(v[0])) && /^[0-9a-f-]{36}$/.test(v[1])) return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw new RequestMalformedError('pageToken is not a token this server returned');
}

/**
 * The SDK's TaskStore on PostgreSQL: the A2A task document of each task, scoped to one endpoint
 * (the team or one agent), so every replica answers GetTask/ListTasks and the mapping onto our
 * tasks and workflow runs survives restarts.
 */
export class PgA2aTaskStore implements TaskStore {
  /**
   * A2A tasks an executor of this process follows: the request's event loop writes their changes,
   * no reconcile needed. Released when their final state is saved (or soon after the executor
   * ends, in case no one persists its last events, e.g. a dropped stream).
   */
  readonly followed = new Set<string>();

  releaseSoon(taskId: string, ms = 10_000): void {
    setTimeout(() => this.followed.delete(taskId), ms).unref();
  }

  constructor(
    private readonly db: Database,
    readonly scope: string,
    /** Reads our task or run; lets a load finish an A2A task no executor follows any more. */
    private readonly outcome?: (kind: A2aTaskKind, targetId: string) => Promise<A2aOutcome>,
  ) {}

  async save(task: Task, _context?: ServerCallContext): Promise<void> {
    const state = task.status?.state ?? TaskState.TASK_STATE_SUBMITTED;
    if (TERMINAL_STATES.includes(state) || state === TaskState.TASK_STATE_INPUT_REQUIRED) this.followed.delete(task.id);
    const at = task.status?.timestamp ? new Date(task.status.timestamp) : new Date();
    await this.db.query(
      `INSERT INTO a2a_tasks (id, scope, context_id, kind, state, task, status_at)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET task = EXCLUDED.task, state = EXCLUDED.state, status_at = EXCLUDED.status_at`,
      [task.id, this.scope, task.contextId, taskStateToJSON(state), Task.toJSON(task), at],
    );
  }

  /** Records which of our tasks or runs an A2A task is (before its first event is saved). */
  async link(task: Task, kind: A2aTaskKind, targetId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO a2a_tasks (id, scope, context_id, kind, target_id, state, task, status_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, target_id = EXCLUDED.target_id`,
      [
        task.id,
        this.scope,
        task.contextId,
        kind,
        targetId,
        taskStateToJSON(task.status?.state ?? TaskState.TASK_STATE_SUBMITTED),
        Task.toJSON(task),
        new Date(),
      ],
    );
  }

  async load(taskId: string, _context?: ServerCallContext): Promise<Task | undefined> {
    return (await this.loadLink(taskId))?.task;
  }

  async loadLink(taskId: string): Promise<A2aTaskLink | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(taskId)) return undefined;
    const rows = await this.db.query<Row>(
      `SELECT id, scope, context_id, kind, target_id, task, status_at FROM a2a_tasks WHERE id = $1 AND scope = $2`,
      [taskId, this.scope],
    );
    const row = rows[0];
    if (!row) return undefined;
    const link = { ...row, task: Task.fromJSON(row.task) };
    await this.reconcile(link);
    return link;
  }

  /**
   * The live executor normally writes every change; when none follows the task (another replica
   * took the request, the process restarted, a stream was dropped), our tables have the truth.
   */
  private async reconcile(link: A2aTaskLink): Promise<void> {
    const state = link.task.status?.state;
    if (!this.outcome || !link.target_id || link.kind === 'pending' || state === undefined) return;
    if (this.followed.has(link.id)) return;
    if (TERMINAL_STATES.includes(state)) return;
    const outcome = await this.outcome(link.kind, link.target_id).catch(() => undefined);
    if (!outcome || outcome.state === state) return;
    if (!outcome.final && state !== TaskState.TASK_STATE_INPUT_REQUIRED) return;
    const task = link.task;
    if (outcome.artifact && !task.artifacts.some((a) => a.artifactId === outcome.artifact!.artifactId))
      task.artifacts = [...task.artifacts, outcome.artifact];
    task.status = outcomeStatus(task.id, task.contextId, outcome);
    await this.save(task);
  }

  /** Newest status first; keyset paging; totalSize counts every match. */
  async list(params: ListTasksRequest, _context?: ServerCallContext): Promise<ListTasksResponse> {
    const pageSize = params.pageSize ?? DEFAULT_PAGE_SIZE;
    const where = ['scope = $1'];
    const args: unknown[] = [this.scope];
    if (params.contextId) {
      args.push(params.contextId);
      where.push(`context_id = $${args.length}`);
    }
    if (params.status) {
      args.push(taskStateToJSON(params.status));
      where.push(`state = $${args.length}`);
    }
    if (params.statusTimestampAfter) {
      args.push(new Date(params.statusTimestampAfter));
      where.push(`status_at > $${args.length}`);
    }
    const filter = where.join(' AND ');
    const counted = await this.db.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM a2a_tasks WHERE ${filter}`,
      args,
    );
    const total = counted[0]?.total ?? 0;
    const pageArgs = [...args];
    let page = filter;
    if (params.pageToken) {
      const [at, id] = decodeToken(params.pageToken);
      pageArgs.push(at, id);
      page += ` AND (status_at, id) < ($${pageArgs.length - 1}::timestamptz, $${pageArgs.length}::uuid)`;
    }
    pageArgs.push(pageSize + 1);
    const rows = await this.db.query<Row>(
      `SELECT id, scope, context_id, kind, target_id, task, status_at FROM a2a_tasks WHERE ${page} ORDER BY status_at DESC, id DESC LIMIT $${pageArgs.length}`,
      pageArgs,
    );
    const more = rows.length > pageSize;
    const shown = rows.slice(0, pageSize);
    const tasks: Task[] = [];
    for (const r of shown) {
      const link = { ...r, task: Task.fromJSON(r.task) };
      await this.reconcile(link);
      const task = link.task;
      if (!params.includeArtifacts) task.artifacts = [];
      tasks.push(task);
    }
    const last = shown[shown.length - 1];
    return {
      tasks,
      nextPageToken: more && last ? encodeToken(new Date(last.status_at), last.id) : '',
      pageSize,
      totalSize: total,
    };
  }
}
