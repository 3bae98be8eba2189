import { Injectable } from '@nestjs/common';
import { REMOTE_METADATA_KEY, RemoteAgentMetadata } from '@app/contracts';
import { Database } from '@app/persistence';

export interface RemoteAgent {
  agent_id: string;
  name: string;
  role: string;
  capabilities: { capability: string; proficiency_level: number }[];
  remote: RemoteAgentMetadata;
  /** Slots: how many of its stream entries the bridge runs at once (the registry's max_tasks). */
  max_tasks: number;
}

/** The remote agents the registry holds (shared PostgreSQL; the registry writes, the bridge reads). */
@Injectable()
export class RemoteDirectory {
  constructor(private readonly db: Database) {}

  async list(): Promise<RemoteAgent[]> {
    const rows = await this.db.query<RemoteAgent>(
      `SELECT a.agent_id, a.name, a.role, a.metadata->'${REMOTE_METADATA_KEY}' AS remote, COALESCE(l.max_tasks, 3) AS max_tasks,
              COALESCE((SELECT json_agg(json_build_object('capability', c.capability, 'proficiency_level', c.proficiency_level)
                                        ORDER BY c.capability)
                          FROM agent_capabilities c WHERE c.agent_id = a.agent_id), '[]'::json) AS capabilities
         FROM agent_registry a LEFT JOIN agent_load l ON l.agent_id = a.agent_id
        WHERE a.metadata ? '${REMOTE_METADATA_KEY}' ORDER BY a.agent_id`,
    );
    return rows.filter((r) => typeof r.remote?.endpoint?.url === 'string');
  }
}
