import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, ClientConfig, Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Sql, sqlOn } from './sql';

/** A transaction's connection, and what to do once it committed (never if it rolls back). */
export interface Tx extends Sql {
  afterCommit(hook: () => void): void;
}

/** A connection of its own, outside the pool (the task store's group-commit lanes). */
export interface DedicatedConnection {
  sql: Sql;
  /** Called when the server or the network drops the connection (the owner makes a new one). */
  onLost(listener: (error: Error) => void): void;
  end(): Promise<void>;
}

/**
 * PostgreSQL for the stores: pooled statements, one transaction helper, dedicated connections.
 * Services never see a connection — they call stores, and stores call this. TypeORM stays for the
 * pool it owns and for migrations (docs/decisions/0160, 0166).
 */
@Injectable()
export class Database implements Sql {
  private readonly log = new Logger(Database.name);
  private readonly pool: Pool;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const pool = (dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('Database: the DataSource is not initialized');
    this.pool = pool;
  }

  /** One statement on a pooled connection. */
  query<T = Record<string, unknown>>(text: string, values: unknown[] = [], name?: string): Promise<T[]> {
    return sqlOn(this.pool).query<T>(text, values, name);
  }

  /**
   * Runs `work` in one transaction on a connection of its own: commit when it resolves, roll back
   * (and rethrow) when it throws. What must happen only after the commit (publishing the change,
   * releasing slots) is registered with `tx.afterCommit` — the unit of work of a change that spans
   * stores — and runs, in order, before this resolves.
   */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    const hooks: (() => void)[] = [];
    try {
      await client.query('BEGIN');
      const result = await work({ ...sqlOn(client), afterCommit: (hook) => hooks.push(hook) });
      await client.query('COMMIT');
      // Committed: a failing hook must not turn the change into an error for the caller.
      for (const hook of hooks)
        try {
          hook();
        } catch (error) {
          this.log.error(`after-commit hook failed: ${(error as Error).message}`);
        }
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      // A connection that could not even roll back is destroyed, not given back to the pool.
      client.release(broken);
    }
  }

  /** A connection outside the pool, with its own settings (`options` are PostgreSQL -c settings). */
  async dedicated(settings: Pick<ClientConfig, 'application_name' | 'options'>): Promise<DedicatedConnection> {
    const options = this.dataSource.options as { url?: string };
    const client = new Client({ connectionString: options.url, connectionTimeoutMillis: 5_000, ...settings });
    const listeners: ((error: Error) => void)[] = [];
    // Always listened to: an unhandled 'error' of a pg Client would end the process.
    client.on('error', (error) => listeners.forEach((l) => l(error)));
    await client.connect();
    return {
      sql: sqlOn(client),
      onLost: (listener) => listeners.push(listener),
      end: () => client.end().catch(() => undefined),
    };
  }
}
