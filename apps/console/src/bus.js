import { useState } from 'preact/hooks';
import { hasScope, orch, registry } from './api.js';
import { ActionButton, ErrorNote, html, Json, NoScope, time, useLoad } from './ui.js';

const FIXED = ['orchestrator', 'orchestrator.results'];
const pending = (s) => s.groups.reduce((n, g) => n + (g.pending ?? 0), 0);
const lag = (s) => s.groups.reduce((n, g) => n + (g.lag ?? 0), 0);

/** Every address: the orchestrator's two and one per registered agent (no bulk endpoint exists, so one read each). */
async function loadAll() {
  const agents = await registry('GET', '/api/agents?limit=1000').then((r) => r.agents.map((a) => a.agent_id).sort());
  const addresses = [...FIXED, ...agents];
  const stats = await Promise.all(
    addresses.map((a) =>
      orch('GET', `/api/bus/streams/${encodeURIComponent(a)}`).catch((error) => ({ address: a, error })),
    ),
  );
  return stats;
}

export function BusPage() {
  const all = useLoad(loadAll, []);
  const [onlyProblems, setOnlyProblems] = useState(false);
  const rows = (all.data ?? []).filter((s) => !onlyProblems || s.error || s.dead_letters > 0 || pending(s) > 0);
  return html`<section aria-labelledby="bus-h">
    <h1 id="bus-h">Bus</h1>
    <div class="toolbar">
      <label
        ><input type="checkbox" checked=${onlyProblems} onChange=${(e) => setOnlyProblems(e.target.checked)} /> only
        addresses with dead letters or pending entries</label
      >
      <button type="button" onClick=${all.reload}>Refresh</button>
    </div>
    <${ErrorNote} error=${all.error} />
    <div class="table-scroll">
      <table class="bus">
        <thead>
          <tr>
            <th scope="col">address</th>
            <th scope="col">stream length</th>
            <th scope="col">pending</th>
            <th scope="col">lag</th>
            <th scope="col">dead letters</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (s) =>
              html`<tr data-address=${s.address} class=${s.dead_letters > 0 ? 'row-error' : ''}>
                <td><a href=${`#/bus/${encodeURIComponent(s.address)}`}>${s.address}</a></td>
                ${
                  s.error
                    ? html`<td colspan="4" class="error">${s.error.message}</td>`
                    : html`<td>${s.length}</td>
                        <td>${pending(s)}</td>
                        <td>${lag(s)}</td>
                        <td class="dead-count">${s.dead_letters}</td>`
                }
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

export function AddressPage({ address, principal }) {
  const path = `/api/bus/streams/${encodeURIComponent(address)}`;
  const stats = useLoad(() => orch('GET', path), [address]);
  const [afters, setAfters] = useState([null]); // `after` of each page seen, for going back
  const after = afters[afters.length - 1];
  const letters = useLoad(
    () => orch('GET', `${path}/dead-letters?count=50${after ? `&after=${encodeURIComponent(after)}` : ''}`),
    [address, after],
  );
  const [note, setNote] = useState('');
  const reload = () => {
    stats.reload();
    letters.reload();
  };
  const admin = hasScope(principal, 'bus:admin');
  const act = async (what, ids) => {
    const r = await orch('POST', `${path}/dead-letters/${what}`, ids ? { ids } : {});
    setNote(what === 'replay' ? `Replayed ${r.replayed}.` : `Purged ${r.purged}.`);
    reload();
  };
  const s = stats.data;
  const list = letters.data?.dead_letters ?? [];
  return html`<section aria-labelledby="addr-h">
    <p><a href="#/bus">← Bus</a></p>
    <h1 id="addr-h">Address ${address}</h1>
    <${ErrorNote} error=${stats.error} />
    ${
      s &&
      html`<dl class="facts">
          <dt>stream length</dt>
          <dd>${s.length}</dd>
          <dt>dead letters</dt>
          <dd class="dead-count">${s.dead_letters}</dd>
        </dl>
        <div class="table-scroll">
          <table>
            <caption>
              Consumer groups
            </caption>
            <thead>
              <tr>
                <th scope="col">group</th>
                <th scope="col">consumers</th>
                <th scope="col">pending</th>
                <th scope="col">lag</th>
              </tr>
            </thead>
            <tbody>
              ${s.groups.map(
                (g) =>
                  html`<tr>
                    <td>${g.name}</td>
                    <td>${Array.isArray(g.consumers) ? g.consumers.length : g.consumers}</td>
                    <td>${g.pending}</td>
                    <td>${g.lag ?? '–'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`
    }
    <h2>Dead letters</h2>
    <p role="status" class="note">${note}</p>
    <${ErrorNote} error=${letters.error} />
    ${
      list.length > 0 &&
      (admin
        ? html`<div class="toolbar">
          <${ActionButton} confirmText=${`Replay all ${s?.dead_letters ?? list.length} dead letters of ${address}?`} onClick=${() => act('replay')}>Replay all</${ActionButton}>
          <${ActionButton} kind="danger" confirmText=${`Delete all dead letters of ${address}? This cannot be undone.`} onClick=${() => act('purge')}>Purge all</${ActionButton}>
        </div>`
        : html`<${NoScope} scope="bus:admin" />`)
    }
    ${list.length === 0 ? html`<p class="muted empty-dead-letters">No dead letters.</p>` : null}
    ${
      afters.length > 1 || letters.data?.next_after
        ? html`<nav class="pager" aria-label="dead-letter pages">
            <button type="button" disabled=${afters.length === 1} onClick=${() => setAfters(afters.slice(0, -1))}>
              ← Previous
            </button>
            <button
              type="button"
              disabled=${!letters.data?.next_after}
              onClick=${() => setAfters([...afters, letters.data.next_after])}
            >
              Next 50 →
            </button>
          </nav>`
        : null
    }
    <ul class="dead-letters">
      ${list.map(
        (d) =>
          html`<li data-dead-letter=${d.id}>
            <p>
              <strong class="reason">${d.reason}</strong> ${d.error}
              <span class="muted"
                >· ${d.attempts} attempts · ${time(d.dead_lettered_at)} · ${d.message_type ?? 'unknown type'}</span
              >
            </p>
            <details>
              <summary>Payload</summary>
              <${Json} value=${tryParse(d.original)} label="original message" />
            </details>
            ${
              admin
                ? html`<div class="toolbar">
                <${ActionButton} confirmText="Replay this dead letter?" onClick=${() => act('replay', [d.id])}>Replay</${ActionButton}>
                <${ActionButton} kind="danger" confirmText="Delete this dead letter? This cannot be undone." onClick=${() => act('purge', [d.id])}>Purge</${ActionButton}>
              </div>`
                : null
            }
          </li>`,
      )}
    </ul>
  </section>`;
}

// The envelope is stored as JSON text; show it parsed when it is valid.
function tryParse(original) {
  const out = {};
  for (const [k, v] of Object.entries(original ?? {})) {
    try {
      out[k] = JSON.parse(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}
