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
  type: RegistryEventType;
  agent_id: string;
  /** ISO time the change was made. */
  at: string;
  /** Which registry replica made it. */
  origin: string;
  data: Record<string, unknown>;
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
  return e as RegistryEvent;
}
