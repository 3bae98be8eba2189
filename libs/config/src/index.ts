export * from './app-config';
export * from './config.error';
export * from './env-reader';
export * from './load-config';
export * from './config.module';
export * from './tracing-config';
export * from './model-prices-config';
export * from './model-limits-config';
