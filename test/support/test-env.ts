/** Where e2e tests find their services; CI reuses the machine's PostgreSQL and Redis. */
const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/expert_agents_test');
export const TEST_DATABASE_NAME = base.pathname.replace(/^\//, '');
export const TEST_DATABASE_URL = base.toString();
const admin = new URL(base.toString());
admin.pathname = '/postgres';
export const ADMIN_DATABASE_URL = admin.toString();
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
