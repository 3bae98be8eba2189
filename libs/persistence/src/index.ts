export * from './entities';
export * from './migrations';
export * from './data-source.options';
export * from './database.module';
export * from './redis/redis.module';
