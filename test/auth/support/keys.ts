import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { generateApiKey, hashApiKey, keyPrefix } from '@app/auth';
import { TEST_DATABASE_URL } from '../../support/test-env';

/** Inserts an API key straight into the test database (as provisioning would) and returns the key. */
export async function createTestKey(scopes: string[], agentIds?: string[], name = `test-${randomUUID().slice(0, 8)}`) {
  const key = generateApiKey();
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    const rows = await db.query<{ id: string }>(
      `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, agent_ids, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'test') RETURNING id`,
      [randomUUID(), name, hashApiKey(key), keyPrefix(key), scopes, agentIds ?? null],
    );
    return { key, id: rows.rows[0].id, name };
  } finally {
    await db.end();
  }
}

/** Audit rows matching a SQL condition on the test database. */
export async function auditRows(where: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  try {
    return (await db.query(`SELECT * FROM audit_events WHERE ${where} ORDER BY id`, params)).rows;
  } finally {
    await db.end();
  }
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

/** fetch with JSON; an SSE answer is not read to its end (the stream is aborted after the headers). */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const abort = new AbortController();
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: abort.signal,
  });
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    abort.abort();
    return { status: response.status, body: undefined, headers: response.headers };
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}
