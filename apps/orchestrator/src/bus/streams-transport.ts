/** Transport id of the orchestrator's Redis Streams server: handlers bound to it are not exposed on Nest's Redis transport. */
export const STREAMS_TRANSPORT = Symbol('redis-streams');
