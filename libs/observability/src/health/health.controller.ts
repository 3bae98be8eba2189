import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { LifecycleState } from './lifecycle.state';
import { RedisHealthIndicator } from './redis.health';

export const HEALTH_IDENTITY = Symbol('HEALTH_IDENTITY');

/** What /health reports about the process beyond "alive" (the agent host adds its agent ids). */
export interface HealthIdentity {
  describe(): Record<string, unknown>;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly lifecycle: LifecycleState,
    private readonly indicator: HealthIndicatorService,
    @Inject(HEALTH_IDENTITY) private readonly identity: HealthIdentity,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up and its event loop answers' })
  live(): Record<string, unknown> {
    return { status: 'healthy', ...this.identity.describe() };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis reachable and not draining' })
  ready() {
    return this.health.check([
      () => {
        const check = this.indicator.check('lifecycle');
        return this.lifecycle.draining ? check.down({ message: 'draining' }) : check.up();
      },
      () => this.db.pingCheck('database', { timeout: 1_000 }),
      () => this.redis.isHealthy('redis'),
    ]);
  }
}
