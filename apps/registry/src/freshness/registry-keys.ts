/** Every Redis key and channel of the registry, under one configurable prefix. */
export class RegistryKeys {
  /** Sorted set agent_id → epoch ms of the latest heartbeat. */
  readonly heartbeats: string;
  /** Hash agent_id → current_tasks reported by a heartbeat not yet superseded by a synchronous write. */
  readonly currentTasks: string;
  /** Hash agent_id → max_tasks reported likewise. */
  readonly maxTasks: string;
  /** Set of agents the sweeper expired; a heartbeat that finds itself here revives its agent. */
  readonly expired: string;
  /** Pub/Sub channel of registry events (notifications only; watchers re-list on reconnect). */
  readonly events: string;

  constructor(readonly prefix: string) {
    this.heartbeats = `${prefix}heartbeats`;
    this.currentTasks = `${prefix}load:current`;
    this.maxTasks = `${prefix}load:max`;
    this.expired = `${prefix}expired`;
    this.events = `${prefix}events`;
  }
}
