export * from './entities';
export * from './migrations';
export * from './data-source.options';
export * from './database.module';
export * from './redis/redis.module';
export * from './outage/database-unavailable';
export * from './outage/initialize-with-retry';
export * from './outage/rate-limited-warn';
