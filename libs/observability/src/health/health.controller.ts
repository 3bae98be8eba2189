import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
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
    private readonly db: DatabaseHealthIndicator,
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
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (error) {
      // The uniform error body, its message naming what is down (never a driver message: see the indicators).
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as Partial<HealthCheckResult>;
      const down = Object.entries(result.error ?? {}).map(([key, v]) =>
        typeof v?.message === 'string' ? v.message : `${key} down`,
      );
      throw new ServiceUnavailableException(`not ready: ${down.join('; ') || 'unknown'}`);
    }
  }

  private check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => {
        const check = this.indicator.check('lifecycle');
        return this.lifecycle.draining ? check.down({ message: 'draining' }) : check.up();
      },
      () => this.db.isHealthy('database'),
      () => this.redis.isHealthy('redis'),
    ]);
  }
}
