export * from './addresses';
export * from './patterns';
export * from './task-messages';
export * from './agent-messages';
