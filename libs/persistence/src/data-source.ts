import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions } from './data-source.options';

/** The DataSource the TypeORM CLI uses (npm run migration:*); apps build theirs from the same options. */
export default new DataSource(
  dataSourceOptions(loadConfig(process.env).databaseUrl, { applicationName: 'expert-agents-cli' }),
);
