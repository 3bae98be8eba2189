import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Database, Sql } from '@app/persistence';
import { AuditScope, AuditService } from '@app/auth';
import { DomainException } from '@app/edge';
import { APP_CONFIG, AppConfig } from '@app/config';
import { WorkflowEngine } from '../engine/workflow-engine';
import { knownAgents, WORKFLOW_DEFINITIONS, WorkflowDefinitions } from '../workflow-definitions.provider';
import { formatIssue, ValidationIssue, validateWorkflowDefinition, WorkflowDefinition } from '@app/contracts';

export interface DefinitionVersion {
  name: string;
  version: number;
  source: 'file' | 'api';
  checksum: string;
  created_at: Date;
  definition: WorkflowDefinition;
}

/** Key order does not change a definition: the checksum is over a canonical form. */
function checksum(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

const COLUMNS = 'name, version, source, checksum, created_at, definition';

/**
 * Every workflow definition version, in PostgreSQL: files are synced at start-up (a changed file
 * becomes a new version), `PUT /api/workflows/{name}` adds versions, runs are pinned to the version
 * they started with. Versions are immutable, so their engines are cached for good.
 */
@Injectable()
export class WorkflowCatalog implements OnModuleInit {
  private readonly log = new Logger('WorkflowCatalog');
  private readonly engines = new Map<string, WorkflowEngine>();

  constructor(
    @Inject(WORKFLOW_DEFINITIONS) private readonly files: WorkflowDefinitions,
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const [name, definition] of this.files) {
      const saved = await this.save(name, definition, 'file');
      if (saved.created) this.log.log(`workflow ${name}: file stored as version ${saved.version}`);
    }
  }

  /** The newest version of every workflow, by name. */
  async latestAll(): Promise<DefinitionVersion[]> {
    return this.db.query<DefinitionVersion>(
      `SELECT DISTINCT ON (name) ${COLUMNS} FROM workflow_definitions ORDER BY name, version DESC`,
    );
  }

  async latest(name: string): Promise<DefinitionVersion> {
    const rows = await this.db.query<DefinitionVersion>(
      `SELECT ${COLUMNS} FROM workflow_definitions WHERE name = $1 ORDER BY version DESC LIMIT 1`,
      [name],
    );
    if (rows[0]) return rows[0];
    const known = (await this.latestAll()).map((d) => d.name);
    throw new DomainException(
      'not_found',
      'WORKFLOW_NOT_FOUND',
      `name: no workflow "${name}" (known: ${known.join(', ')})`,
    );
  }

  /** `sql`: read on the caller's connection (inside its transaction), not a second one from the pool. */
  async get(name: string, version: number, sql?: Sql): Promise<DefinitionVersion> {
    const text = `SELECT ${COLUMNS} FROM workflow_definitions WHERE name = $1 AND version = $2`;
    const rows = await (sql ?? this.db).query<DefinitionVersion>(text, [name, version]);
    if (!rows[0])
      throw new DomainException(
        'not_found',
        'WORKFLOW_VERSION_NOT_FOUND',
        `version: workflow ${name} has no version ${version}`,
      );
    return rows[0];
  }

  async versions(name: string): Promise<Omit<DefinitionVersion, 'definition'>[]> {
    await this.latest(name); // 404 for an unknown name
    return this.db.query(
      `SELECT name, version, source, checksum, created_at FROM workflow_definitions WHERE name = $1 ORDER BY version`,
      [name],
    );
  }

  /** The engine of one version (immutable: built once); `sql` as for `get`. */
  async engine(name: string, version: number, sql?: Sql): Promise<WorkflowEngine> {
    const key = `${name}@${version}`;
    let engine = this.engines.get(key);
    if (!engine) {
      const { definition } = await this.get(name, version, sql);
      engine = new WorkflowEngine(definition, undefined, this.config.limits.foreachMaxItems);
      this.engines.set(key, engine);
    }
    return engine;
  }

  /** Validates like a file (400 listing every problem) and stores it as a new version when it changed. */
  async put(
    name: string,
    raw: unknown,
    audit?: AuditScope,
  ): Promise<{ name: string; version: number; created: boolean }> {
    const problems: ValidationIssue[] = validateWorkflowDefinition(raw, knownAgents());
    const given = (raw as { name?: unknown } | null)?.name;
    if (problems.length === 0 && given !== name)
      problems.push({ path: 'name', message: `"${String(given)}" must match the path (${name})` });
    if (problems.length > 0) {
      // A problem that names no field is about the body as a whole.
      const fields = problems.map((p) => ({ ...p, path: p.path === '' ? 'body' : p.path }));
      const named = fields.map(formatIssue);
      const errors = fields.map((p, i) => ({ field: p.path, message: named[i] }));
      throw new DomainException(
        'invalid',
        'WORKFLOW_DEFINITION_INVALID',
        `invalid workflow definition: ${named.join('; ')}`,
        {
          errors,
        },
      );
    }
    if (audit) audit.resource = `workflow:${name}`;
    return this.save(name, raw as WorkflowDefinition, 'api', audit);
  }

  /**
   * A new version unless the definition equals the newest one (for files: the newest file version, so
   * an unchanged file never overrides a version added through the API). Serialized per name.
   */
  private async save(
    name: string,
    definition: WorkflowDefinition,
    source: 'file' | 'api',
    audit?: AuditScope,
  ): Promise<{ name: string; version: number; created: boolean }> {
    const sum = checksum(definition);
    // A new version's audit row commits with it; an unchanged definition (no new version) is recorded by the edge.
    return this.audit.transaction<{ name: string; version: number; created: boolean }>(audit, async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('workflow_definitions:' || $1))`, [name]);
      const newestOf = async (onlySource?: 'file'): Promise<{ version: number; checksum: string } | undefined> => {
        const rows = await m.query<{ version: number; checksum: string }>(
          `SELECT version, checksum FROM workflow_definitions WHERE name = $1 AND ($2::text IS NULL OR source = $2)
           ORDER BY version DESC LIMIT 1`,
          [name, onlySource ?? null],
        );
        return rows[0];
      };
      const newest = await newestOf();
      const reference = source === 'file' ? await newestOf('file') : newest;
      if (newest && reference?.checksum === sum) return { value: { name, version: newest.version, created: false } };
      const version = (newest?.version ?? 0) + 1;
      await m.query(
        `INSERT INTO workflow_definitions (name, version, definition, source, checksum) VALUES ($1, $2, $3, $4, $5)`,
        [name, version, definition, source, sum],
      );
      return { value: { name, version, created: true }, resource: `workflow:${name}@${version}` };
    });
  }
}
