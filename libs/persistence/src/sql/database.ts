import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, ClientConfig, Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Sql, sqlOn } from './sql';

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
   * (and rethrow) when it throws. Work that must happen only after the commit (publishing,
   * releasing slots) is returned by `work` and run by the caller once this resolves.
   */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(sqlOn(client));
      await client.query('COMMIT');
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
