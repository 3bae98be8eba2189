export * from './app-config';
export * from './config.error';
export * from './env-reader';
export * from './load-config';
export * from './config.module';
export * from './limits-config';
