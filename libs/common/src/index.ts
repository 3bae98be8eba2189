export * from './errors/domain.exception';
export * from './errors/validation-errors';
export * from './http/all-exceptions.filter';
export * from './http/error-body';
export * from './http/request-id';
export * from './http/validation.pipe';
export * from './http/bootstrap';
export * from './http/start';
