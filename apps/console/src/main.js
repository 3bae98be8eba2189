import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, loadSettings, setApiKey, settings, whoAmI } from './api.js';
import { AddressPage, BusPage } from './bus.js';
import { AgentPage, FleetPage } from './fleet.js';
import { RunPage, RunsPage, StartRunPage } from './runs.js';
import { TaskPage, TasksPage } from './tasks.js';
import { ErrorNote, html } from './ui.js';

const NAV = [
  ['fleet', 'Fleet'],
  ['tasks', 'Tasks'],
  ['runs', 'Workflow runs'],
  ['bus', 'Bus'],
];

/** Hash routes (#/fleet, #/tasks/<id>, ...): the orchestrator serves one page at /console. */
function useRoute() {
  const read = () => {
    const [path, q] = location.hash.replace(/^#\/?/, '').split('?');
    return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q ?? '') };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Page({ route, principal }) {
  const [section = 'fleet', id] = route.parts;
  const props = { principal, query: route.query };
  switch (section) {
    case 'fleet':
      return id ? html`<${AgentPage} id=${id} ...${props} />` : html`<${FleetPage} ...${props} />`;
    case 'tasks':
      return id
        ? html`<${TaskPage} id=${id} ...${props} />`
        : html`<${TasksPage} key=${route.query.toString()} ...${props} />`;
    case 'runs':
      return id ? html`<${RunPage} id=${id} ...${props} />` : html`<${RunsPage} ...${props} />`;
    case 'start':
      return html`<${StartRunPage} name=${id} ...${props} />`;
    case 'bus':
      return id ? html`<${AddressPage} address=${id} ...${props} />` : html`<${BusPage} ...${props} />`;
    default:
      return html`<p>Unknown page. <a href="#/fleet">Fleet</a></p>`;
  }
}

function SignIn({ principal, onChange }) {
  const [key, setKey] = useState('');
  if (principal?.signedIn && apiKey())
    return html`<div class="signin">
      <span>Signed in as <strong>${principal.name}</strong></span>
      <button type="button" onClick=${() => (setApiKey(''), onChange())}>Sign out</button>
    </div>`;
  return html`<form class="signin" onSubmit=${(e) => (e.preventDefault(), setApiKey(key.trim()), onChange())}>
    ${principal?.signedIn ? html`<span class="muted">${principal.name}</span>` : null}
    <label for="api-key">API key</label>
    <input id="api-key" type="password" autocomplete="off" value=${key} onInput=${(e) => setKey(e.target.value)} />
    <button type="submit">Sign in</button>
  </form>`;
}

function App() {
  const route = useRoute();
  const [principal, setPrincipal] = useState();
  const [error, setError] = useState();
  const [ready, setReady] = useState(false);
  const identify = () => whoAmI().then(setPrincipal, setError);
  useEffect(() => {
    loadSettings().then(() => (setReady(true), identify()), setError);
  }, []);
  const section = route.parts[0] ?? 'fleet';
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="#/fleet">expert-agents</a>
      <nav aria-label="sections">
        ${NAV.map(([k, label]) => html`<a href=${`#/${k}`} aria-current=${section === k || (k === 'runs' && section === 'start') ? 'page' : undefined}>${label}</a>`)}
      </nav>
      <nav aria-label="tools" class="tools">
        ${settings.grafana_url ? html`<a href=${settings.grafana_url} target="_blank" rel="noopener">Grafana</a>` : null}
        ${settings.swagger.map((s) => html`<a href=${s.url} target="_blank" rel="noopener">${s.name} API</a>`)}
      </nav>
      <${SignIn} principal=${principal} onChange=${identify} />
    </header>
    <main id="main" tabindex="-1">
      <${ErrorNote} error=${error} />
      ${principal && !principal.signedIn ? html`<p class="error" role="alert">Sign in with an API key to use the console (${principal.reason}).</p>` : null}
      ${ready && principal?.signedIn ? html`<${Page} route=${route} principal=${principal} />` : null}
    </main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // drop the loading note: preact renders beside existing children
render(html`<${App} />`, root);
