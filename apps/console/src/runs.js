import { useEffect, useState } from 'preact/hooks';
import { follow, hasScope, orch } from './api.js';
import { WorkflowGraph } from './graph.js';
import { McqItem, Output, unwrap } from './outputs.js';
import { ActionButton, ago, ErrorNote, html, Json, NoScope, Status, time, useLoad } from './ui.js';

const RUN_EVENTS = [
  'run_started',
  'step_started',
  'step_completed',
  'step_failed',
  'input_required',
  'resumed',
  'run_completed',
  'run_failed',
  'run_canceled',
];
const RUN_TERMINAL = ['completed', 'failed', 'canceled'];

export function RunsPage({ principal }) {
  const runs = useLoad(() => orch('GET', '/api/workflows/runs'), []);
  const defs = useLoad(() => orch('GET', '/api/workflows'), []);
  useEffect(() => {
    const timer = setInterval(() => runs.reload(), 3000);
    return () => clearInterval(timer);
  }, []);
  return html`<section aria-labelledby="runs-h">
    <h1 id="runs-h">Workflow runs</h1>
    <h2>Start a run</h2>
    <${ErrorNote} error=${defs.error} />
    <ul class="definitions">
      ${(defs.data?.workflows ?? []).map(
        (w) =>
          html`<li>
            ${
              hasScope(principal, 'workflows:run')
                ? html`<a class="button" href=${`#/start/${w.name}`}>Start ${w.name}</a>`
                : html`<strong>${w.name}</strong> <${NoScope} scope="workflows:run" />`
            }
            <span class="muted">${w.description}</span>
          </li>`,
      )}
    </ul>
    <h2>Recent runs</h2>
    <${ErrorNote} error=${runs.error} />
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">run</th>
            <th scope="col">workflow</th>
            <th scope="col">status</th>
            <th scope="col">started</th>
            <th scope="col">finished</th>
          </tr>
        </thead>
        <tbody>
          ${(runs.data?.runs ?? []).map(
            (r) =>
              html`<tr data-run=${r.run_id}>
                <td>
                  <a href=${`#/runs/${r.run_id}`}><code>${r.run_id.slice(0, 8)}</code></a>
                </td>
                <td>${r.workflow}</td>
                <td><${Status} value=${r.status} /></td>
                <td>${ago(r.created_at)}</td>
                <td>${time(r.completed_at)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** A form built from the definition's input_schema (GET /api/workflows/{name}). */
export function StartRunPage({ name }) {
  const def = useLoad(() => orch('GET', `/api/workflows/${encodeURIComponent(name)}`), [name]);
  const [values, setValues] = useState({});
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);
  const schema = def.data?.input_schema;
  const submit = async (e) => {
    e.preventDefault();
    setError(undefined);
    const input = {};
    try {
      for (const [field, s] of Object.entries(schema.properties)) {
        const raw = values[field];
        if (raw === undefined || raw === '') continue;
        if (s.type === 'array')
          input[field] = String(raw)
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean);
        else if (s.type === 'integer' || s.type === 'number') input[field] = Number(raw);
        else if (s.type === 'boolean') input[field] = raw === true;
        else if (s.type === 'object') {
          try {
            input[field] = JSON.parse(raw);
          } catch {
            throw new Error(`${field}: must be a JSON object`);
          }
        } else input[field] = raw;
      }
      setBusy(true);
      const started = await orch('POST', `/api/workflows/${encodeURIComponent(name)}/runs`, { input });
      location.hash = `#/runs/${started.run_id}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const set = (field, v) => setValues({ ...values, [field]: v });
  return html`<section aria-labelledby="start-h">
    <p><a href="#/runs">← Workflow runs</a></p>
    <h1 id="start-h">Start ${name}</h1>
    <${ErrorNote} error=${def.error} />
    ${def.data && html`<p>${def.data.description}</p>`}
    ${
      schema &&
      html`<form class="run-form" onSubmit=${submit}>
        ${Object.entries(schema.properties).map(([field, s]) => {
          const id = `in-${field}`;
          const required = schema.required.includes(field);
          const hint = s.type === 'array' ? 'one per line' : s.type === 'object' ? 'JSON' : '';
          // Spaces go inside expressions: htm drops whitespace around line breaks.
          const label = html`<label for=${id}
            >${field}${required ? html`${' '}<span aria-hidden="true">*</span>` : ''}${
              hint ? html`<span class="muted">${` (${hint})`}</span>` : ''
            }</label
          >`;
          const described = s.description ? `${id}-d` : undefined;
          const control =
            s.type === 'boolean'
              ? html`<input
                  id=${id}
                  name=${field}
                  type="checkbox"
                  checked=${values[field] === true}
                  onChange=${(e) => set(field, e.target.checked)}
                  aria-describedby=${described}
                />`
              : s.type === 'array' || s.type === 'object'
                ? html`<textarea
                    id=${id}
                    name=${field}
                    rows=${s.type === 'object' ? 3 : 4}
                    required=${required}
                    value=${values[field] ?? ''}
                    onInput=${(e) => set(field, e.target.value)}
                    aria-describedby=${described}
                  ></textarea>`
                : html`<input
                    id=${id}
                    name=${field}
                    type=${s.type === 'string' ? 'text' : 'number'}
                    required=${required}
                    value=${values[field] ?? ''}
                    onInput=${(e) => set(field, e.target.value)}
                    aria-describedby=${described}
                  />`;
          return html`<div class="field">
            ${label}${control}${s.description ? html`<small id=${described}>${s.description}</small>` : null}
          </div>`;
        })}
        <${ErrorNote} error=${error} />
        <button type="submit" class="primary" disabled=${busy}>Start run</button>
      </form>`
    }
  </section>`;
}

function Approval({ run, principal, onDone }) {
  const [comment, setComment] = useState('');
  const p = run.pending_approval;
  if (!hasScope(principal, 'workflows:approve'))
    return html`<div class="approval" role="region" aria-label="approval">
      <p>${p.prompt}</p>
      <${NoScope} scope="workflows:approve" />
    </div>`;
  return html`<div class="approval" role="region" aria-label="approval">
    <h2>Waiting for approval</h2>
    <p>${p.prompt}</p>
    <label for="approval-comment">Comment</label>
    <textarea id="approval-comment" rows="2" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
    <div class="toolbar">
      ${p.decisions.map(
        (d) => html`<${ActionButton} kind=${d === 'approve' ? 'primary' : 'danger'}
          onClick=${() => orch('POST', `/api/workflows/runs/${run.run_id}/resume`, { decision: d, ...(comment ? { comment } : {}) }).then(onDone)}>${d}</${ActionButton}>`,
      )}
    </div>
  </div>`;
}

/** MCQ runs: the approved and rejected items, each rendered as a question. */
function McqResults({ output }) {
  const groups = [
    ['Approved items', output?.approved_items],
    ['Rejected items', output?.rejected_items],
  ].filter(([, items]) => Array.isArray(items) && items.length);
  if (groups.length === 0) return null;
  return groups.map(
    ([title, items]) =>
      html`<h2>${title}</h2>
        <div class="mcq-list">
          ${items.map((i) => (i?.item?.stem ? html`<${McqItem} item=${i.item} review=${i.review} />` : html`<${Json} value=${i} />`))}
        </div>`,
  );
}

export function RunPage({ id, principal }) {
  const run = useLoad(() => orch('GET', `/api/workflows/runs/${id}`), [id]);
  const r = run.data;
  const def = useLoad(
    () => (r ? orch('GET', `/api/workflows/${r.workflow}`) : Promise.resolve(undefined)),
    [r?.workflow],
  );
  const [selected, setSelected] = useState();
  const ended = r && RUN_TERMINAL.includes(r.status);
  useEffect(() => {
    if (ended) return undefined;
    return follow('', `/api/workflows/runs/${id}/events`, RUN_EVENTS, () => run.reload());
  }, [id, ended]);
  useEffect(() => {
    if (ended) return undefined;
    const timer = setInterval(() => run.reload(), 5000);
    return () => clearInterval(timer);
  }, [id, ended]);
  const chosen = r?.steps.filter((s) => s.step_id === selected) ?? [];
  const isMcq = Array.isArray(r?.output?.approved_items);
  return html`<section aria-labelledby="run-h">
    <p><a href="#/runs">← Workflow runs</a></p>
    <h1 id="run-h">${r?.workflow ?? 'Run'} <code class="muted">${id.slice(0, 8)}</code></h1>
    <${ErrorNote} error=${run.error} />
    ${
      r &&
      html`<div class="toolbar">
          <span>Status: <${Status} value=${r.status} /></span>
          <a href=${`#/tasks?workflow_run_id=${id}`}>Tasks of this run</a>
          ${
            !ended &&
            (hasScope(principal, 'workflows:run')
              ? html`<${ActionButton} kind="danger" confirmText="Cancel this run and its outstanding tasks?" onClick=${() => orch('POST', `/api/workflows/runs/${id}/cancel`).then(run.reload)}>Cancel run</${ActionButton}>`
              : html`<${NoScope} scope="workflows:run" />`)
          }
        </div>
        ${r.error ? html`<p class="error" role="status">${r.error}</p>` : null}
        ${r.pending_approval && r.status === 'input_required' ? html`<${Approval} run=${r} principal=${principal} onDone=${run.reload} />` : null}
        <h2>Graph</h2>
        <p class="muted">Select a step to see its visits and outputs.</p>
        ${def.data ? html`<${WorkflowGraph} definition=${def.data} steps=${r.steps} selected=${selected} onSelect=${setSelected} />` : html`<${ErrorNote} error=${def.error} />`}
        ${
          selected &&
          html`<h2>Step ${selected}</h2>
            ${chosen.length === 0 ? html`<p class="muted">Not reached yet.</p>` : null}
            ${chosen.map(
              (s) =>
                html`<details open=${chosen.length === 1} class="step">
                  <summary>
                    <code>${s.step_key}</code>
                    <${Status} value=${s.status} />
                    ${s.task_id ? html`<a href=${`#/tasks/${s.task_id}`}>task</a>` : null}
                  </summary>
                  ${s.error ? html`<p class="error">${s.error}</p>` : null}
                  ${s.output != null ? html`<${Output} value=${unwrap(s.output)} />` : null}
                </details>`,
            )}`
        }
        ${isMcq ? html`<${McqResults} output=${r.output} />` : null}
        ${
          r.output != null && !isMcq
            ? html`<h2>Output</h2>
                <${Output} value=${r.output} />`
            : null
        }
        <h2>Steps</h2>
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">step</th>
                <th scope="col">type</th>
                <th scope="col">status</th>
                <th scope="col">task</th>
                <th scope="col">updated</th>
              </tr>
            </thead>
            <tbody>
              ${r.steps.map(
                (s) =>
                  html`<tr data-step-key=${s.step_key}>
                    <td>
                      <button type="button" class="link" onClick=${() => setSelected(s.step_id)}>${s.step_key}</button>
                    </td>
                    <td>${s.type}</td>
                    <td><${Status} value=${s.status} /></td>
                    <td>${s.task_id ? html`<a href=${`#/tasks/${s.task_id}`}>open</a>` : ''}</td>
                    <td>${time(s.updated_at)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <h2>Input</h2>
        <${Json} value=${r.input} label="run input" />`
    }
  </section>`;
}
