export const REGISTRY_EVENT_TYPES = [
  'registered',
  'status_changed',
  'offline_by_ttl',
  'deregistered',
  'load_changed',
] as const;
export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number];

/** One change in the registry, as published on Redis and streamed over SSE. */
export interface RegistryEvent {
  /** Its entry id in the registry's event log (a Redis stream): the SSE `id:` a reconnect resumes after. */
  id?: string;
  type: RegistryEventType;
  agent_id: string;
  /** ISO time the change was made. */
  at: string;
  /** Which registry replica made it. */
  origin: string;
  data: Record<string, unknown>;
}

/** A Redis stream entry id, `<ms>-<seq>`. */
export const STREAM_ID = /^[0-9]{1,20}-[0-9]{1,20}$/;

/** Orders two stream entry ids. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** Accepts only well-formed events from the channel; anything else is ignored by the caller. */
export function parseRegistryEvent(raw: string): RegistryEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Partial<RegistryEvent>;
  if (typeof e.type !== 'string' || !(REGISTRY_EVENT_TYPES as readonly string[]).includes(e.type)) return undefined;
  if (typeof e.agent_id !== 'string' || typeof e.at !== 'string' || typeof e.origin !== 'string') return undefined;
  if (typeof e.data !== 'object' || e.data === null) return undefined;
  if (e.id !== undefined && (typeof e.id !== 'string' || !STREAM_ID.test(e.id))) return undefined;
  return e as RegistryEvent;
}
