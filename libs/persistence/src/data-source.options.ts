import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** One definition of the database connection, used by the apps, the CLI and the tests. */
export function dataSourceOptions(
  databaseUrl: string,
  overrides: Partial<{ poolSize: number; applicationName: string }> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    // No entities: every table is reached through SQL its store owns; the migrations are the schema (decision 0160).
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    // Schema changes only ever come from migrations.
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn', 'migration'],
    extra: {
      max: overrides.poolSize ?? 10,
      application_name: overrides.applicationName ?? 'expert-agents',
      connectionTimeoutMillis: 5_000,
    },
  };
}
