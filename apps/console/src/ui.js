import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

export function ago(iso) {
  if (!iso) return '–';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');

/** A status word with a colour class; the word itself carries the meaning (never colour alone). */
export const Status = ({ value }) => html`<span class=${`status status-${value}`}>${value}</span>`;

export const Json = ({ value, label }) =>
  html`<pre class="json" tabindex="0" aria-label=${label ?? 'JSON'}>${JSON.stringify(value, null, 2)}</pre>`;

export const ErrorNote = ({ error }) =>
  error ? html`<p class="error" role="alert">${String(error.message ?? error)}</p>` : null;

/** Loads with `load()` now and whenever `deps` change; `reload()` for live updates. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let alive = true;
    load().then(
      (data) => alive && setState({ data, error: undefined }),
      (error) => alive && setState((s) => ({ data: s.data, error })),
    );
    return () => {
      alive = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** Calls `fn` at most once per `ms` (trailing), for bursts of live events. */
export function throttle(fn, ms) {
  let timer;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}

/** A button that runs an async action, shows it is busy and reports the error beside itself. */
export function ActionButton({ onClick, children, disabled, kind, title, confirmText }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  const run = async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(true);
    setError(undefined);
    try {
      await onClick();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${kind ?? ''} disabled=${disabled || busy} title=${title} onClick=${run}>
      ${children}
    </button>
    <${ErrorNote} error=${error} />
  </span>`;
}

/** Shown instead of an action the principal may not take. */
export const NoScope = ({ scope }) => html`<span class="muted">(needs scope ${scope})</span>`;
