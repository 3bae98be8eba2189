// The console's only way out: the public HTTP APIs of the orchestrator (this origin) and the registry.
const KEY_STORAGE = 'expert-agents.api-key';

export const settings = { registry_url: '', grafana_url: '', swagger: [] };

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export class ApiError extends Error {
  constructor(status, body) {
    const fields = Array.isArray(body?.errors) ? body.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : '';
    super(fields || body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function request(base, method, path, body) {
  const headers = { accept: 'application/json' };
  const key = apiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** The orchestrator (same origin). */
export const orch = (method, path, body) => request('', method, path, body);
/** The registry (CORS, REGISTRY_CORS_ORIGINS). */
export const registry = (method, path, body) => request(settings.registry_url, method, path, body);

export async function loadSettings() {
  Object.assign(settings, await request('', 'GET', '/console/settings.json'));
}

/**
 * Who is signed in. Until the auth issue is merged the route answers 404: everything is allowed
 * then. 401/403 mean the key is missing or wrong.
 */
export async function whoAmI() {
  try {
    return { signedIn: true, ...(await orch('GET', '/api/auth/me')) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404)
      return { signedIn: true, name: 'auth not enabled', kind: 'none', scopes: ['*'] };
    if (error instanceof ApiError && (error.status === 401 || error.status === 403))
      return { signedIn: false, scopes: [], reason: error.message };
    throw error;
  }
}

export function hasScope(principal, scope) {
  return Boolean(principal?.scopes?.includes('*') || principal?.scopes?.includes(scope));
}

/**
 * Follows a Server-Sent Events route. Browsers cannot send a header with EventSource, so a
 * short-lived ticket goes in the query (POST /api/auth/stream-tickets; 404 → auth not merged,
 * connect without). `onEvent('open')` marks each (re)connection. Returns a function that closes the stream.
 */
export function follow(base, path, types, onEvent) {
  let source;
  let closed = false;
  const open = async () => {
    let url = `${base}${path}`;
    try {
      const ticket = await request(base, 'POST', '/api/auth/stream-tickets', {});
      url += `${path.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket.ticket)}`;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) console.warn('stream ticket', error);
    }
    if (closed) return;
    source = new EventSource(url);
    source.onopen = () => onEvent('open', null);
    for (const type of types)
      source.addEventListener(type, (event) => {
        let data = null;
        try {
          data = JSON.parse(event.data);
        } catch {
          // keepalive or non-JSON data
        }
        onEvent(type, data);
      });
    // A ticket is single-use: after an error, reconnect with a fresh one rather than EventSource's own retry.
    source.onerror = () => {
      source.close();
      if (!closed) setTimeout(() => void open(), 2000);
    };
  };
  void open();
  return () => {
    closed = true;
    source?.close();
  };
}
