export * from './sql';
export * from './database';
