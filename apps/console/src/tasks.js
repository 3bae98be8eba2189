import { useEffect, useState } from 'preact/hooks';
import { follow, hasScope, orch } from './api.js';
import { TaskTable } from './fleet.js';
import { Output } from './outputs.js';
import { ActionButton, ErrorNote, html, Json, NoScope, Status, time, useLoad } from './ui.js';

const TASK_STATUSES = ['pending', 'dispatched', 'in_progress', 'completed', 'failed', 'canceled'];
const TERMINAL = ['completed', 'failed', 'canceled'];
// Event types of GET /api/tasks/{id}/events (the change); a poll below covers any other.
const TASK_EVENTS = [
  'accepted',
  'dispatched',
  'started',
  'completed',
  'failed',
  'canceled',
  'redispatched',
  'cancel_requested',
];

export function TasksPage({ query }) {
  const [filters, setFilters] = useState({
    status: query.get('status') ?? '',
    agent_id: query.get('agent_id') ?? '',
    role: query.get('role') ?? '',
    workflow_run_id: query.get('workflow_run_id') ?? '',
  });
  const [cursors, setCursors] = useState([null]); // cursor of each page seen, for Previous
  const cursor = cursors[cursors.length - 1];
  const params = new URLSearchParams({ limit: '25' });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v.trim());
  if (cursor) params.set('cursor', cursor);
  const page = useLoad(() => orch('GET', `/api/tasks?${params}`), [params.toString()]);
  useEffect(() => {
    const timer = setInterval(() => cursors.length === 1 && page.reload(), 3000);
    return () => clearInterval(timer);
  }, [cursors.length]);
  const set = (k) => (e) => {
    setFilters({ ...filters, [k]: e.target.value });
    setCursors([null]);
  };
  return html`<section aria-labelledby="tasks-h">
    <h1 id="tasks-h">Tasks</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label
        >Status
        <select value=${filters.status} onChange=${set('status')}>
          <option value="">all</option>
          ${TASK_STATUSES.map((s) => html`<option>${s}</option>`)}
        </select></label
      >
      <label>Agent <input value=${filters.agent_id} onChange=${set('agent_id')} placeholder="QA-001" size="9" /></label>
      <label>Role <input value=${filters.role} onChange=${set('role')} placeholder="qa_engineer" size="12" /></label>
      <label
        >Run <input value=${filters.workflow_run_id} onChange=${set('workflow_run_id')} placeholder="run id" size="14"
      /></label>
    </form>
    <${ErrorNote} error=${page.error} />
    <${TaskTable} tasks=${page.data?.tasks ?? []} />
    <nav class="pager" aria-label="pages">
      <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>
        ← Newer
      </button>
      <button
        type="button"
        disabled=${!page.data?.next_cursor}
        onClick=${() => setCursors([...cursors, page.data.next_cursor])}
      >
        Older →
      </button>
    </nav>
  </section>`;
}

export function TaskPage({ id, principal }) {
  const task = useLoad(() => orch('GET', `/api/tasks/${id}`), [id]);
  const t = task.data;
  const ended = t && TERMINAL.includes(t.status);
  useEffect(() => {
    if (ended) return undefined;
    // History first, then live changes until the task ends; each change re-reads the task.
    return follow('', `/api/tasks/${id}/events`, TASK_EVENTS, () => task.reload());
  }, [id, ended]);
  useEffect(() => {
    if (ended) return undefined;
    const timer = setInterval(() => task.reload(), 5000); // a safety net under the stream
    return () => clearInterval(timer);
  }, [id, ended]);
  return html`<section aria-labelledby="task-h">
    <p><a href="#/tasks">← Tasks</a></p>
    <h1 id="task-h">${t?.title ?? id}</h1>
    <${ErrorNote} error=${task.error} />
    ${
      t &&
      html`<div class="toolbar">
          <span>Status: <${Status} value=${t.status} /></span>
          ${
            !ended &&
            (hasScope(principal, 'tasks:write')
              ? html`<${ActionButton} kind="danger" confirmText="Cancel this task?" onClick=${() => orch('POST', `/api/tasks/${id}/cancel`).then(task.reload)}>Cancel task</${ActionButton}>`
              : html`<${NoScope} scope="tasks:write" />`)
          }
        </div>
        <dl class="facts">
          <dt>task id</dt>
          <dd><code>${t.task_id}</code></dd>
          <dt>agent</dt>
          <dd>${t.agent_id ? html`<a href=${`#/fleet/${t.agent_id}`}>${t.agent_id}</a>` : '–'}</dd>
          <dt>asked for</dt>
          <dd>${t.requested_agent_id ?? [t.role, t.capability].filter(Boolean).join(' / ') ?? '–'}</dd>
          <dt>attempt</dt>
          <dd>${t.attempt} of ${t.max_attempts}</dd>
          ${
            t.workflow_run_id
              ? html`<dt>workflow run</dt>
                  <dd><a href=${`#/runs/${t.workflow_run_id}`}>${t.step_key ?? t.workflow_run_id}</a></dd>`
              : null
          }
          <dt>created</dt>
          <dd>${time(t.created_at)}</dd>
          <dt>completed</dt>
          <dd>${time(t.completed_at)}</dd>
        </dl>
        ${t.description ? html`<p>${t.description}</p>` : null}
        ${t.error ? html`<p class="error" role="status">Error: ${t.error}</p>` : null}
        <h2>Output</h2>
        <div class="output">
          ${t.result == null ? html`<p class="muted">No output yet.</p>` : html`<${Output} value=${t.result} />`}
        </div>
        <h2>Input</h2>
        <${Json} value=${t.input} label="task input" />
        <h2>Attempts</h2>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">agent</th>
                <th scope="col">status</th>
                <th scope="col">dispatched</th>
                <th scope="col">started</th>
                <th scope="col">finished</th>
                <th scope="col">model</th>
                <th scope="col">error</th>
              </tr>
            </thead>
            <tbody>
              ${t.attempts.map(
                (a) =>
                  html`<tr>
                    <td>${a.attempt}</td>
                    <td>${a.agent_id}</td>
                    <td><${Status} value=${a.status} /></td>
                    <td>${time(a.dispatched_at)}</td>
                    <td>${time(a.started_at)}</td>
                    <td>${time(a.completed_at)}</td>
                    <td>
                      ${a.model ?? ''}${a.input_tokens != null ? ` (${a.input_tokens}→${a.output_tokens} tokens)` : ''}
                    </td>
                    <td>${a.error ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <h2>History</h2>
        <ol class="timeline">
          ${t.history.map(
            (e) =>
              html`<li>
                <time datetime=${e.created_at}>${time(e.created_at)}</time> <${Status} value=${e.status} />
                <span class="muted">${e.type}</span> ${e.agent_id ?? ''} ${e.detail?.reason ?? e.detail?.error ?? ''}
              </li>`,
          )}
        </ol>`
    }
  </section>`;
}
