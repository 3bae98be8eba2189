import { html, Json } from './ui.js';

// Outputs are rendered by their shape (the output kinds of libs/agents): an MCQ item, a plan, a review.
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isMcq = (v) => isObj(v) && typeof v.stem === 'string' && Array.isArray(v.options);
const isPlan = (v) => isObj(v) && Array.isArray(v.tasks) && v.tasks.every((t) => isObj(t) && 'id' in t);
const isReview = (v) => isObj(v) && typeof v.verdict === 'string' && Array.isArray(v.issues);

/** The deliverable inside a task result (hosts report `{output, ...}`), or the value itself. */
export function unwrap(result) {
  if (isObj(result) && isObj(result.output)) return result.output;
  return result;
}

export function Output({ value }) {
  const v = unwrap(value);
  if (isMcq(v)) return html`<${McqItem} item=${v} />`;
  if (isPlan(v)) return html`<${PlanGraph} plan=${v} />`;
  if (isReview(v)) return html`<${Review} review=${v} />`;
  if (isObj(v) && typeof v.summary === 'string') return html`<${Document} doc=${v} raw=${value} />`;
  return html`<${Json} value=${value} label="output" />`;
}

const cell = (v) => {
  if (typeof v === 'string') return v.includes('\n') ? html`<pre class="cell">${v}</pre>` : v;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(', ');
  return v == null ? '' : JSON.stringify(v);
};

/** Other deliverables (design doc, code change, test plan, deployment plan): summary, then each field as text, list or table. */
export function Document({ doc, raw }) {
  const rest = Object.entries(doc).filter(([k]) => k !== 'summary' && k !== 'title');
  return html`<div class="document">
    ${doc.title ? html`<p><strong>${doc.title}</strong></p>` : null}
    <p>${doc.summary}</p>
    ${rest.map(([key, value]) => {
      if (Array.isArray(value) && value.length && value.every(isObj)) {
        const cols = [...new Set(value.flatMap((o) => Object.keys(o)))];
        return html`<div class="table-scroll">
          <table>
            <caption>
              ${key.replace(/_/g, ' ')}
            </caption>
            <thead>
              <tr>
                ${cols.map((c) => html`<th scope="col">${c}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${value.map(
                (o) =>
                  html`<tr>
                    ${cols.map((c) => html`<td>${cell(o[c])}</td>`)}
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`;
      }
      if (Array.isArray(value))
        return html`<p class="doc-field"><strong>${key.replace(/_/g, ' ')}</strong></p>
          <ul>
            ${value.map((x) => html`<li>${cell(x)}</li>`)}
          </ul>`;
      if (isObj(value))
        return html`<p class="doc-field"><strong>${key.replace(/_/g, ' ')}</strong></p>
          <${Json} value=${value} label=${key} />`;
      return html`<p class="doc-field"><strong>${key.replace(/_/g, ' ')}:</strong> ${String(value)}</p>`;
    })}
    <details>
      <summary>Raw JSON</summary>
      <${Json} value=${raw} label="output as JSON" />
    </details>
  </div>`;
}

export function McqItem({ item, review }) {
  return html`<article class="mcq" aria-label=${`MCQ: ${item.topic ?? ''}`}>
    <header>
      <strong>${item.topic}</strong>
      ${item.difficulty ? html` <span class="tag">${item.difficulty}</span>` : null}
      ${review ? html` <span class=${`status status-${review.verdict}`}>${review.verdict}</span>` : null}
    </header>
    <p class="stem">${item.stem}</p>
    <ol class="options">
      ${item.options.map(
        (o) =>
          html`<li class=${o.key === item.correct_key ? 'correct' : ''}>
            <span class="key">${o.key}</span> ${o.text}
            ${o.key === item.correct_key ? html` <strong class="correct-mark">✓ correct</strong>` : null}
          </li>`,
      )}
    </ol>
    <p><strong>Correct key:</strong> <span class="correct-key">${item.correct_key}</span></p>
    ${
      item.explanation
        ? html`<details>
            <summary>Explanation</summary>
            <p>${item.explanation}</p>
          </details>`
        : null
    }
    ${
      item.references?.length
        ? html`<details>
            <summary>References</summary>
            <ul>
              ${item.references.map((r) => html`<li>${r}</li>`)}
            </ul>
          </details>`
        : null
    }
  </article>`;
}

export function Review({ review }) {
  return html`<div class="review">
    <p><span class=${`status status-${review.verdict}`}>${review.verdict}</span> ${review.summary}</p>
    ${
      review.issues.length === 0
        ? html`<p class="muted">No findings.</p>`
        : html`<table>
            <caption>
              Findings
            </caption>
            <thead>
              <tr>
                <th scope="col">severity</th>
                <th scope="col">finding</th>
                <th scope="col">where</th>
                <th scope="col">suggestion</th>
              </tr>
            </thead>
            <tbody>
              ${review.issues.map(
                (i) =>
                  html`<tr>
                    <td><span class=${`sev sev-${i.severity}`}>${i.severity}</span></td>
                    <td>${i.description}</td>
                    <td>${i.location ?? ''}</td>
                    <td>${i.suggestion ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </div>`;
}

/** A plan's tasks in dependency layers, with arrows from each dependency. */
export function PlanGraph({ plan }) {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const deps = (byId.get(id)?.depends_on ?? []).filter((d) => byId.has(d));
    const d = deps.length ? 1 + Math.max(...deps.map((x) => depthOf(x, seen))) : 0;
    depth.set(id, d);
    return d;
  };
  plan.tasks.forEach((t) => depthOf(t.id));
  const layers = [];
  for (const t of plan.tasks) (layers[depth.get(t.id)] ??= []).push(t);
  const W = 190;
  const H = 54;
  const GX = 24;
  const GY = 40;
  const pos = new Map();
  layers.forEach((layer, y) => layer.forEach((t, x) => pos.set(t.id, { x: 10 + x * (W + GX), y: 10 + y * (H + GY) })));
  const width = 20 + Math.max(...layers.map((l) => l.length)) * (W + GX);
  const height = 20 + layers.length * (H + GY);
  return html`<figure class="plan">
    <figcaption>${plan.summary}</figcaption>
    <div class="graph-scroll">
      <svg width=${width} height=${height} role="img" aria-label="Task graph of the plan">
        <defs>
          <marker
            id="arrow-plan"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        ${plan.tasks.flatMap((t) =>
          (t.depends_on ?? [])
            .filter((d) => pos.has(d))
            .map((d) => {
              const a = pos.get(d);
              const b = pos.get(t.id);
              return html`<line
                class="edge"
                x1=${a.x + W / 2}
                y1=${a.y + H}
                x2=${b.x + W / 2}
                y2=${b.y}
                marker-end="url(#arrow-plan)"
              />`;
            }),
        )}
        ${plan.tasks.map((t) => {
          const p = pos.get(t.id);
          // A run's report carries each node's outcome: colour it and link its task.
          const node = html`<g class=${`node${t.status ? ` step-${t.status}` : ''}`} data-node=${t.id}>
            <title>${t.description ?? t.title}${t.status ? ` (${t.status})` : ''}</title>
            <rect x=${p.x} y=${p.y} width=${W} height=${H} rx="6" />
            <text x=${p.x + 8} y=${p.y + 20}>${clip(t.title, 26)}</text>
            <text x=${p.x + 8} y=${p.y + 40} class="sub"
              >${clip(`${t.status ? `${t.status} · ` : ''}${t.agent_id ?? t.capability ?? t.role ?? ''}`, 30)}</text
            >
          </g>`;
          return t.task_id
            ? html`<a href=${`#/tasks/${t.task_id}`} aria-label=${`${t.title}: ${t.status}`}>${node}</a>`
            : node;
        })}
      </svg>
    </div>
  </figure>`;
}

export const clip = (s, n) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ''));
