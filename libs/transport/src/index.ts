export * from './backoff';
export * from './envelope';
export {
  DeadLetterEntry,
  DeadLetterReason,
  ENVELOPE_FIELD,
  decodeEntry,
  encodeEnvelope,
  fieldsToRecord,
} from './entry-codec';
export * from './keys';
export * from './redis-streams.client';
export * from './redis-streams.context';
export * from './redis-streams.exception-filter';
export * from './redis-streams.server';
export * from './transport.admin';
export * from './transport.errors';
export * from './transport.metrics';
export * from './transport.options';
export * from './redis-acl';
export * from './envelope-signature';
export * from './redis-connection';
export * from './json-safety';
