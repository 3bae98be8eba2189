/** Key of agent_registry.metadata that marks an agent as an outside A2A agent. */
export const REMOTE_METADATA_KEY = 'a2a_remote';

/** What the registry keeps about a remote agent (docs/decisions/0102); the orchestrator's bridge reads it. */
export interface RemoteAgentMetadata {
  card_url: string;
  /** The interface the bridge calls. */
  endpoint: { url: string; protocolBinding: string; protocolVersion: string; tenant: string };
  output_kind: string;
  streaming: boolean;
  card_name: string;
  card_version: string;
  last_probe_at?: string;
  last_probe_error?: string | null;
}
