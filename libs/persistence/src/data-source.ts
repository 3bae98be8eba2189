import { DataSource } from 'typeorm';
import { loadDatabaseUrl } from '@app/config';
import { dataSourceOptions } from './data-source.options';

/**
 * The DataSource the TypeORM CLI uses (npm run migration:*); apps build theirs from the same options. A migration
 * run reads only the database settings, so a bad variable of an app (MODEL_*, HEARTBEAT_*) does not stop it.
 */
export default new DataSource(
  dataSourceOptions(loadDatabaseUrl(process.env), { applicationName: 'expert-agents-cli' }),
);
