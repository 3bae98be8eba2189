import { useEffect, useMemo, useState } from 'preact/hooks';
import { follow, orch, registry, settings } from './api.js';
import { ago, ErrorNote, html, Status, throttle, useLoad } from './ui.js';

const STATUSES = ['online', 'busy', 'offline', 'error'];
const REGISTRY_EVENTS = ['registered', 'status_changed', 'offline_by_ttl', 'deregistered', 'load_changed'];

/** Every agent of the registry, kept current by the registry's SSE stream. */
function useFleet() {
  const [agents, setAgents] = useState(new Map());
  const [error, setError] = useState();
  const [live, setLive] = useState(false);
  useEffect(() => {
    let alive = true;
    const load = () =>
      registry('GET', '/api/agents?limit=1000').then(
        (r) => alive && (setAgents(new Map(r.agents.map((a) => [a.agent_id, a]))), setError(undefined)),
        (e) => alive && setError(e),
      );
    void load();
    // Heartbeats are not events: re-list now and then so "last heartbeat" stays true.
    const relist = setInterval(() => void load(), 15_000);
    const changed = new Set();
    const refresh = throttle(() => {
      const ids = [...changed];
      changed.clear();
      for (const id of ids)
        registry('GET', `/api/agents/${encodeURIComponent(id)}`).then(
          (a) => alive && setAgents((m) => new Map(m).set(a.agent_id, a)),
          () => alive && setAgents((m) => ((m = new Map(m)), m.delete(id), m)),
        );
    }, 250);
    const close = follow(settings.registry_url, '/api/agents/events', REGISTRY_EVENTS, (type, e) => {
      setLive(true);
      if (type === 'open') void load(); // (re)connected: catch up with what the stream missed
      if (!e?.agent_id) return;
      // Apply the status at once (an agent going offline turns red now), then re-read its full view.
      if (e.data?.status)
        setAgents((m) =>
          m.has(e.agent_id) ? new Map(m).set(e.agent_id, { ...m.get(e.agent_id), status: e.data.status }) : m,
        );
      if (type === 'offline_by_ttl')
        setAgents((m) =>
          m.has(e.agent_id) ? new Map(m).set(e.agent_id, { ...m.get(e.agent_id), status: 'offline' }) : m,
        );
      changed.add(e.agent_id);
      refresh();
    });
    return () => {
      alive = false;
      clearInterval(relist);
      close();
    };
  }, []);
  return { agents: [...agents.values()].sort((a, b) => a.agent_id.localeCompare(b.agent_id)), error, live };
}

const LoadBar = ({ load }) =>
  html`<span class="load">
    <meter min="0" max=${Math.max(1, load.max_tasks)} value=${load.current_tasks} aria-label="load"></meter>
    <span>${load.current_tasks}/${load.max_tasks}</span>
  </span>`;

export function FleetPage() {
  const { agents, error, live } = useFleet();
  const [role, setRole] = useState('');
  const [status, setStatus] = useState('');
  const [capability, setCapability] = useState('');
  const roles = useMemo(() => [...new Set(agents.map((a) => a.role))].sort(), [agents]);
  const capabilities = useMemo(
    () => [...new Set(agents.flatMap((a) => a.capabilities.map((c) => c.capability)))].sort(),
    [agents],
  );
  const shown = agents.filter(
    (a) =>
      (!role || a.role === role) &&
      (!status || a.status === status) &&
      (!capability || a.capabilities.some((c) => c.capability === capability)),
  );
  const counts = STATUSES.map((s) => [s, agents.filter((a) => a.status === s).length]);
  return html`<section aria-labelledby="fleet-h">
    <h1 id="fleet-h">Fleet</h1>
    <p class="summary">
      ${agents.length} agents: ${counts.map(([s, n]) => html`<span class=${`status status-${s}`}>${n} ${s}</span> `)}
      <span class=${live ? 'live on' : 'live'} aria-live="polite">${live ? '● live' : '○ connecting'}</span>
    </p>
    <${ErrorNote} error=${error} />
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label
        >Role
        <select value=${role} onChange=${(e) => setRole(e.target.value)}>
          <option value="">all</option>
          ${roles.map((r) => html`<option>${r}</option>`)}
        </select></label
      >
      <label
        >Status
        <select value=${status} onChange=${(e) => setStatus(e.target.value)}>
          <option value="">all</option>
          ${STATUSES.map((r) => html`<option>${r}</option>`)}
        </select></label
      >
      <label
        >Capability
        <select value=${capability} onChange=${(e) => setCapability(e.target.value)}>
          <option value="">all</option>
          ${capabilities.map((r) => html`<option>${r}</option>`)}
        </select></label
      >
    </form>
    <div class="table-scroll">
      <table class="fleet">
        <caption class="sr-only">
          Agents
        </caption>
        <thead>
          <tr>
            <th scope="col">agent</th>
            <th scope="col">role</th>
            <th scope="col">status</th>
            <th scope="col">load</th>
            <th scope="col">last heartbeat</th>
            <th scope="col">host</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (a) =>
              html`<tr data-agent=${a.agent_id} data-status=${a.status} class=${`row-${a.status}`}>
                <td><a href=${`#/fleet/${a.agent_id}`}>${a.agent_id}</a> <span class="muted">${a.name}</span></td>
                <td>${a.role}</td>
                <td><${Status} value=${a.status} /></td>
                <td><${LoadBar} load=${a.load} /></td>
                <td title=${a.last_heartbeat ?? ''}>${ago(a.last_heartbeat)}</td>
                <td>${a.host ? `${a.host}${a.port ? `:${a.port}` : ''}` : '–'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

export function AgentPage({ id }) {
  const agent = useLoad(() => registry('GET', `/api/agents/${encodeURIComponent(id)}`), [id]);
  const tasks = useLoad(() => orch('GET', `/api/tasks?agent_id=${encodeURIComponent(id)}&limit=50`), [id]);
  useEffect(
    () =>
      follow(
        settings.registry_url,
        '/api/agents/events',
        REGISTRY_EVENTS,
        (_t, e) => e?.agent_id === id && agent.reload(),
      ),
    [id],
  );
  const a = agent.data;
  const list = tasks.data?.tasks ?? [];
  const finished = list.filter((t) => t.status === 'completed' || t.status === 'failed');
  const failed = finished.filter((t) => t.status === 'failed').length;
  return html`<section aria-labelledby="agent-h">
    <p><a href="#/fleet">← Fleet</a></p>
    <h1 id="agent-h">${id} ${a ? html`<span class="muted">${a.name}</span>` : null}</h1>
    <${ErrorNote} error=${agent.error} />
    ${
      a &&
      html`<dl class="facts">
          <dt>role</dt>
          <dd>${a.role}</dd>
          <dt>status</dt>
          <dd><${Status} value=${a.status} /></dd>
          <dt>load</dt>
          <dd><${LoadBar} load=${a.load} /></dd>
          <dt>last heartbeat</dt>
          <dd>${ago(a.last_heartbeat)}</dd>
          <dt>host</dt>
          <dd>
            ${a.host ?? '–'}${a.port ? `:${a.port}` : ''}
            ${
              a.host && a.port
                ? html`${' · '}<a href=${`http://${a.host}:${a.port}/docs`} target="_blank" rel="noopener"
                      >its Swagger UI</a
                    >`
                : null
            }
          </dd>
          <dt>tasks completed</dt>
          <dd>${a.load.total_tasks_completed}</dd>
          <dt>error rate${finished.length ? ` (last ${finished.length} finished tasks)` : ''}</dt>
          <dd class="error-rate">
            ${finished.length ? `${Math.round((100 * failed) / finished.length)}%` : 'no finished tasks yet'}
          </dd>
        </dl>
        <h2>Capabilities</h2>
        <ul class="capabilities">
          ${a.capabilities.map(
            (c) =>
              html`<li>
                <span>${c.capability}</span>
                <meter
                  min="0"
                  max="10"
                  value=${c.proficiency_level}
                  aria-label=${`proficiency of ${c.capability}`}
                ></meter>
                <span class="muted">${c.proficiency_level}</span>
              </li>`,
          )}
        </ul>`
    }
    <h2>Recent tasks</h2>
    <${ErrorNote} error=${tasks.error} />
    <${TaskTable} tasks=${list} />
  </section>`;
}

export const TaskTable = ({ tasks }) =>
  tasks.length === 0
    ? html`<p class="muted">No tasks.</p>`
    : html`<div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">task</th>
              <th scope="col">status</th>
              <th scope="col">agent</th>
              <th scope="col">created</th>
            </tr>
          </thead>
          <tbody>
            ${tasks.map(
              (t) =>
                html`<tr data-task=${t.task_id}>
                  <td><a href=${`#/tasks/${t.task_id}`}>${t.title ?? t.task_id}</a></td>
                  <td><${Status} value=${t.status} /></td>
                  <td>${t.agent_id ?? t.requested_agent_id ?? t.capability ?? t.role ?? '–'}</td>
                  <td title=${t.created_at}>${ago(t.created_at)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
