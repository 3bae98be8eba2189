import { REDIS_CLIENT } from '@app/persistence';
import { HEALTH_REDIS_CLIENT } from './redis.health';

describe('the Redis health check’s client token', () => {
  it('is the very token @app/persistence provides the client under', () => {
    expect(HEALTH_REDIS_CLIENT).toBe(REDIS_CLIENT);
  });
});
