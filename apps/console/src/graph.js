import { clip } from './outputs.js';
import { html } from './ui.js';

// Draws a workflow definition (steps, branches, loops, foreach bodies) with each step's state in a run.
const W = 170;
const H = 58;
const GX = 28;
const GY = 46;
const PAD = 16;
const HEAD = 26;
const ARC = 130;
const FINAL = ['completed', 'failed', 'canceled', 'skipped'];

function edgesOf(step) {
  const out = [];
  const next = step.next;
  if (typeof next === 'string') out.push({ to: next });
  else if (next && typeof next === 'object') {
    for (const c of next.cases ?? [])
      out.push({
        to: c.to,
        label: [
          c.when?.equals !== undefined ? `= ${c.when.equals}` : 'when',
          c.max_traversals ? `≤${c.max_traversals}×` : '',
        ]
          .filter(Boolean)
          .join(' '),
      });
    if (next.default) out.push({ to: next.default, label: 'else' });
  }
  if (step.on_failure) out.push({ to: step.on_failure, label: 'on failure', failure: true });
  return out;
}

/** Rows by first reach from the start (breadth first); an edge to the same or an earlier row is a loop. */
function layout(graph) {
  const ids = Object.keys(graph.steps);
  const depth = new Map([[graph.start, 0]]);
  const queue = [graph.start];
  while (queue.length) {
    const id = queue.shift();
    for (const e of edgesOf(graph.steps[id] ?? {}))
      if (graph.steps[e.to] && !depth.has(e.to)) {
        depth.set(e.to, depth.get(id) + 1);
        queue.push(e.to);
      }
  }
  let extra = Math.max(0, ...depth.values()) + 1;
  for (const id of ids) if (!depth.has(id)) depth.set(id, extra++);
  const rows = [];
  for (const id of ids) (rows[depth.get(id)] ??= []).push(id);
  const sizes = new Map();
  const inner = new Map();
  for (const id of ids) {
    const body = graph.steps[id].body;
    if (body?.steps) {
      const sub = layout(body);
      inner.set(id, sub);
      sizes.set(id, { w: Math.max(W, sub.width + 2 * PAD), h: sub.height + HEAD + PAD });
    } else sizes.set(id, { w: W, h: H });
  }
  const rowWidths = rows.map((r) => (r ?? []).reduce((s, id) => s + sizes.get(id).w, 0) + GX * ((r?.length ?? 1) - 1));
  const width = Math.max(...rowWidths) + ARC; // room on the right for loop arcs and their labels
  const pos = new Map();
  let y = 0;
  rows.forEach((row = [], i) => {
    let x = (width - ARC - rowWidths[i]) / 2;
    const rowH = Math.max(...row.map((id) => sizes.get(id).h));
    for (const id of row) {
      pos.set(id, { x, y, ...sizes.get(id) });
      x += sizes.get(id).w + GX;
    }
    y += rowH + GY;
  });
  return { graph, pos, inner, depth, width, height: y - GY };
}

/** A step's state in the run: its visits (all loop turns and foreach items) summed up. */
function stateOf(id, steps) {
  const mine = steps.filter((s) => s.step_id === id);
  if (mine.length === 0) return { status: 'not_started', count: 0 };
  const open = mine.find((s) => !FINAL.includes(s.status));
  const failed = mine.find((s) => s.status === 'failed');
  const status =
    open?.status ?? (failed ? 'failed' : mine.every((s) => s.status === 'skipped') ? 'skipped' : 'completed');
  return { status, count: mine.length, done: mine.filter((s) => s.status === 'completed').length };
}

function assignment(step) {
  const a = step.assign ?? {};
  const show = (v) => (typeof v === 'string' && v.startsWith('$.') ? v.replace('$.', '') : v);
  return show(a.agent_id) ?? show(a.capability) ?? show(a.role) ?? step.type;
}

function Graph({ lay, steps, selected, onSelect, ox, oy }) {
  const { graph, pos, inner, depth } = lay;
  const edges = [];
  for (const [id, step] of Object.entries(graph.steps))
    for (const e of edgesOf(step)) {
      const a = pos.get(id);
      const b = pos.get(e.to);
      if (!a || !b) continue;
      const cls = `edge${e.failure ? ' failure' : ''}`;
      const back = depth.get(e.to) <= depth.get(id);
      if (back) {
        // A loop: an arc out of the right side of the source back into the right side of the target.
        const x1 = ox + a.x + a.w;
        const y1 = oy + a.y + a.h / 2;
        const x2 = ox + b.x + b.w;
        const y2 = oy + b.y + b.h / 2;
        const bend = Math.max(x1, x2) + 60;
        edges.push(
          html`<path
              class=${`${cls} loop`}
              d=${`M${x1},${y1} C${bend},${y1} ${bend},${y2} ${x2 + 4},${y2}`}
              marker-end="url(#arrow)"
            />
            ${e.label ? html`<text class="edge-label" x=${Math.max(x1, x2) + 50} y=${(y1 + y2) / 2 + 4}>${e.label}</text>` : null}`,
        );
      } else {
        const x1 = ox + a.x + a.w / 2;
        const y1 = oy + a.y + a.h;
        const x2 = ox + b.x + b.w / 2;
        const y2 = oy + b.y;
        edges.push(
          html`<line class=${cls} x1=${x1} y1=${y1} x2=${x2} y2=${y2 - 2} marker-end="url(#arrow)" />
            ${e.label ? html`<text class="edge-label" x=${(x1 + x2) / 2 + 4} y=${(y1 + y2) / 2}>${e.label}</text>` : null}`,
        );
      }
    }
  const nodes = Object.entries(graph.steps).map(([id, step]) => {
    const p = pos.get(id);
    const x = ox + p.x;
    const y = oy + p.y;
    const st = stateOf(id, steps);
    const label = `${id} (${step.type}): ${st.status.replace('_', ' ')}${st.count > 1 ? `, ${st.done} of ${st.count} visits done` : ''}`;
    const select = () => onSelect(id);
    const keys = (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        select();
      }
    };
    const sub = inner.get(id);
    return html`<g
      class=${`node step-${st.status}${selected === id ? ' selected' : ''}${sub ? ' group' : ''}`}
      data-step=${id}
      data-status=${st.status}
      tabindex="0"
      role="button"
      aria-label=${label}
      onClick=${(ev) => {
        ev.stopPropagation();
        select();
      }}
      onKeyDown=${keys}
    >
      <title>${label}</title>
      <rect x=${x} y=${y} width=${p.w} height=${p.h} rx="8" />
      <text x=${x + 10} y=${y + 18} class="title">${clip(id, 22)}</text>
      ${
        sub
          ? html`<text x=${x + p.w - 10} y=${y + 18} class="sub" text-anchor="end"
                >${step.type} · ${st.status.replace('_', ' ')}</text
              >
              <${Graph}
                lay=${sub}
                steps=${steps}
                selected=${selected}
                onSelect=${onSelect}
                ox=${x + (p.w - sub.width) / 2}
                oy=${y + HEAD}
              />`
          : html`<text x=${x + 10} y=${y + 36} class="sub">${clip(String(assignment(step)), 24)}</text>
              <text x=${x + 10} y=${y + 51} class="state"
                >${st.status.replace('_', ' ')}${st.count > 1 ? ` ×${st.count}` : ''}</text
              >`
      }
    </g>`;
  });
  return html`${edges}${nodes}`;
}

export function WorkflowGraph({ definition, steps, selected, onSelect }) {
  const lay = layout(definition);
  return html`<div class="graph-scroll">
    <svg
      class="workflow-graph"
      width=${lay.width + 20}
      height=${lay.height + 20}
      role="group"
      aria-label=${`Graph of ${definition.name}`}
    >
      <defs>
        <marker
          id="arrow"
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
      <${Graph} lay=${lay} steps=${steps} selected=${selected} onSelect=${onSelect} ox=${10} oy=${10} />
    </svg>
  </div>`;
}
