export * from './app-config';
export * from './a2a-config';
export * from './config.error';
export * from './env-reader';
export * from './load-config';
export * from './config.module';
