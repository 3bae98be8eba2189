import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database, Sql } from '@app/persistence';

export interface ApiKeyRow {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  scopes: string[];
  agent_ids: string[] | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
  provisioned: boolean;
  created_at: Date;
}

export interface NewApiKey {
  name: string;
  keyHash: string;
  prefix: string;
  scopes: string[];
  agentIds?: string[];
  expiresAt?: Date;
  createdBy: string | null;
  provisioned?: boolean;
}

const COLUMNS = `id, name, key_hash, prefix, scopes, agent_ids, expires_at, last_used_at, revoked_at, created_by, provisioned, created_at`;

/** Every query of api_keys. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, [keyHash]);
    return rows[0];
  }

  async findById(id: string): Promise<ApiKeyRow | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows[0];
  }

  async list(includeRevoked: boolean): Promise<ApiKeyRow[]> {
    return await this.db.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, name`,
    );
  }

  async insert(key: NewApiKey, sql: Sql = this.db): Promise<ApiKeyRow> {
    const rows = await sql.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, agent_ids, expires_at, created_by, provisioned)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        key.name,
        key.keyHash,
        key.prefix,
        key.scopes,
        key.agentIds ?? null,
        key.expiresAt ?? null,
        key.createdBy,
        key.provisioned ?? false,
      ],
    );
    return rows[0];
  }

  /** Provisioned keys (AUTH_KEYS_FILE) are matched by hash: scopes and bindings follow the file. */
  async upsertProvisioned(key: NewApiKey): Promise<void> {
    await this.db.query(
      `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, agent_ids, created_by, provisioned)
       VALUES ($1, $2, $3, $4, $5, $6, 'provisioning', true)
       ON CONFLICT (key_hash) DO UPDATE SET name = EXCLUDED.name, scopes = EXCLUDED.scopes, agent_ids = EXCLUDED.agent_ids`,
      [randomUUID(), key.name, key.keyHash, key.prefix, key.scopes, key.agentIds ?? null],
    );
  }

  async revoke(id: string, sql: Sql = this.db): Promise<boolean> {
    const rows = await sql.query(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  /** One statement for every key used since the last flush (never a write per request). */
  async touch(lastUsed: Map<string, Date>): Promise<void> {
    if (lastUsed.size === 0) return;
    const ids = [...lastUsed.keys()];
    const times = ids.map((id) => lastUsed.get(id)!.toISOString());
    await this.db.query(
      `UPDATE api_keys k SET last_used_at = GREATEST(COALESCE(k.last_used_at, u.at), u.at)
       FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) WHERE k.id = u.id`,
      [ids, times],
    );
  }
}
