import { readFileSync } from 'node:fs';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AuditScope } from '../audit/audit-scope';
import { AuditService } from '../audit/audit.service';
import { actorOf, Principal } from '../principal';
import { generateApiKey, hashApiKey, keyPrefix } from './api-key';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { parseKeysFile } from './keys-file';

/** A key as the API shows it: never the key itself nor its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  kind: 'api_key' | 'agent_host';
  scopes: string[];
  agent_ids: string[] | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_by: string | null;
  created_at: string;
}

export interface CreateKeyInput {
  name: string;
  scopes: string[];
  agent_ids?: string[];
  expires_at?: Date;
}

/** A looked-up key hash: its row (undefined: no such key) and when it was read. */
interface CacheEntry {
  row: ApiKeyRow | undefined;
  at: number;
  principal?: Principal;
}

// A revoked key stops working on every replica within this time (lookups are cached, not repeated per request).
const CACHE_MS = 5_000;
const TOUCH_FLUSH_MS = 30_000;

export function principalOfKey(row: ApiKeyRow): Principal {
  const bound = row.agent_ids !== null && row.agent_ids.length > 0;
  return {
    id: row.id,
    kind: bound ? 'agent_host' : 'api_key',
    name: row.name,
    scopes: row.scopes,
    ...(bound ? { agent_ids: row.agent_ids! } : {}),
  };
}

function view(row: ApiKeyRow): ApiKeyView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    kind: row.agent_ids && row.agent_ids.length > 0 ? 'agent_host' : 'api_key',
    scopes: row.scopes,
    agent_ids: row.agent_ids,
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
    created_by: row.created_by,
    created_at: iso(row.created_at)!,
  };
}

/** API keys: verification (cached), last use (batched), creation and revocation (audited in the same transaction). */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  // `principal`: built once per cached row (read-only for callers), not per request.
  private readonly cache = new Map<string, CacheEntry>();
  /**
   * Keys that verified, by the key itself: a request with a known key skips its SHA-256 (~2 µs under load, the
   * largest part of auth's cost on a heartbeat). Holds raw keys in memory for at most CACHE_MS after their row was
   * read, plus one sweep interval (decision 0162); unknown keys are never held (no growth from guessed keys).
   */
  private readonly byKey = new Map<string, CacheEntry>();
  private readonly lastUsed = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.keysFile !== undefined) await this.provision(this.config.auth.keysFile);
    this.timer = setInterval(() => {
      this.sweepKnownKeys(Date.now());
      void this.flushLastUsed();
    }, TOUCH_FLUSH_MS);
    this.timer.unref();
  }

  // Before shutdown: the last flush needs the database, which closes during shutdown.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushLastUsed();
  }

  /**
   * The principal of a key, or undefined when the key is unknown, revoked or expired. Answers synchronously when
   * the key's row is cached (every request but one per key per CACHE_MS): no promise on the hot path.
   */
  verify(key: string): Principal | undefined | Promise<Principal | undefined> {
    const now = Date.now();
    const known = this.byKey.get(key);
    if (known !== undefined) {
      if (now - known.at < CACHE_MS) return this.principalOf(known, now);
      this.byKey.delete(key);
    }
    const hash = hashApiKey(key);
    const hit = this.cached(hash);
    if (hit) return this.remember(key, hit, now);
    return this.entry(hash).then((entry) => this.remember(key, entry, Date.now()));
  }

  private remember(key: string, entry: CacheEntry, now: number): Principal | undefined {
    if (entry.row !== undefined) {
      if (this.byKey.size >= 10_000) this.byKey.clear();
      this.byKey.set(key, entry);
    }
    return this.principalOf(entry, now);
  }

  private sweepKnownKeys(now: number): void {
    for (const [key, entry] of this.byKey) if (now - entry.at >= CACHE_MS) this.byKey.delete(key);
  }

  private principalOf(entry: CacheEntry, now: number): Principal | undefined {
    const row = entry.row;
    if (!row || row.revoked_at !== null) return undefined;
    if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now) return undefined;
    this.lastUsed.set(row.id, now);
    return (entry.principal ??= principalOfKey(row));
  }

  /** The row behind a key hash (bus signatures are keyed by it), cached like verify. */
  async lookup(keyHash: string): Promise<ApiKeyRow | undefined> {
    return (await this.entry(keyHash)).row;
  }

  private cached(keyHash: string): CacheEntry | undefined {
    const hit = this.cache.get(keyHash);
    return hit && Date.now() - hit.at < CACHE_MS ? hit : undefined;
  }

  private async entry(keyHash: string): Promise<CacheEntry> {
    const hit = this.cached(keyHash);
    if (hit) return hit;
    const entry = { row: await this.keys.findByHash(keyHash), at: Date.now() };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(keyHash, entry);
    return entry;
  }

  /** A usable (not revoked, not expired) key by id, cached like verify: bus signatures name their key by id. */
  async usableById(id: string): Promise<ApiKeyRow | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
    const now = Date.now();
    const hit = this.cache.get(`id:${id}`);
    const row = hit && now - hit.at < CACHE_MS ? hit.row : await this.keys.findById(id);
    if (!hit || now - hit.at >= CACHE_MS) this.cache.set(`id:${id}`, { row, at: now });
    if (!row || row.revoked_at !== null) return undefined;
    if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now) return undefined;
    return row;
  }

  async list(includeRevoked: boolean): Promise<ApiKeyView[]> {
    return (await this.keys.list(includeRevoked)).map(view);
  }

  /** Creates a key and returns it once; the audit row commits with it. */
  async create(
    input: CreateKeyInput,
    by: Principal | undefined,
    scope?: AuditScope,
  ): Promise<ApiKeyView & { key: string }> {
    const key = generateApiKey();
    const row = await this.audit.transaction(scope, async (tx) => {
      const inserted = await this.keys.insert(
        {
          name: input.name,
          keyHash: hashApiKey(key),
          prefix: keyPrefix(key),
          scopes: input.scopes,
          agentIds: input.agent_ids,
          expiresAt: input.expires_at,
          createdBy: actorOf(by),
        },
        tx,
      );
      return {
        value: inserted,
        resource: `api_key:${inserted.id}`,
        detail: { name: input.name, scopes: input.scopes, agent_ids: input.agent_ids ?? null },
      };
    });
    return { ...view(row), key };
  }

  /** Revokes a key; the audit row commits with the revocation (a refused one is recorded by the edge). */
  async revoke(id: string, scope?: AuditScope): Promise<ApiKeyView> {
    if (scope) scope.resource = `api_key:${id}`;
    const revoked = await this.audit.transaction(scope, async (tx) => {
      const done = await this.keys.revoke(id, tx);
      return { value: done, resource: done ? `api_key:${id}` : undefined };
    });
    const row = await this.keys.findById(id);
    if (!row) throw new DomainException('not_found', 'API_KEY_NOT_FOUND', `id: no API key ${id}`);
    if (!revoked && row.revoked_at === null) throw new DomainException('conflict', 'API_KEY_NOT_REVOKED', `id: ${id}`);
    this.cache.clear();
    this.byKey.clear();
    return view(row);
  }

  private async provision(path: string): Promise<void> {
    const entries = parseKeysFile(readFileSync(path, 'utf8'), path);
    for (const entry of entries) {
      await this.keys.upsertProvisioned({
        name: entry.name,
        keyHash: hashApiKey(entry.key),
        prefix: keyPrefix(entry.key),
        scopes: entry.scopes,
        agentIds: entry.agent_ids,
        createdBy: 'provisioning',
      });
    }
    this.logger.log(`${entries.length} provisioned key(s) from AUTH_KEYS_FILE`);
  }

  private async flushLastUsed(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = new Map([...this.lastUsed].map(([id, at]) => [id, new Date(at)]));
    this.lastUsed.clear();
    await this.keys
      .touch(batch)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'last_used_at flush failed'));
  }
}
