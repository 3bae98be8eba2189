import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source.options';
import { initializeWithRetry } from './outage/initialize-with-retry';
import { Database } from './sql/database';

/** PostgreSQL for every store of the app: TypeORM's pool (and migrations) under `Database`. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.databaseUrl, { poolSize: config.databasePoolSize }),
        // initializeWithRetry waits out an outage itself; anything else it throws is a real error.
        retryAttempts: 1,
      }),
      dataSourceFactory: (options) => initializeWithRetry(options!),
    }),
  ],
  providers: [Database],
  exports: [TypeOrmModule, Database],
})
export class DatabaseModule {}
