export * from './addresses';
export * from './patterns';
export * from './fast-checks';
export * from './task-messages';
export * from './agent-messages';
export * from './capacity-keys';
export * from './task-progress';
export * from './remote-agent';
