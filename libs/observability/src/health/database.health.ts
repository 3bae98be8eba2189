import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';

/**
 * PostgreSQL readiness without the driver's message in the body: /health/ready is public, and driver errors name
 * hosts, users and databases. The message goes to the log (debug) for operators.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly log = new Logger('Health');

  constructor(
    private readonly typeorm: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'database', timeoutMs = 1_000) {
    const check = this.indicator.check(key);
    try {
      const result = await this.typeorm.pingCheck(key, { timeout: timeoutMs });
      if (result[key]?.status === 'up') return check.up();
      this.log.debug(`${key} down: ${JSON.stringify(result[key])}`);
    } catch (error) {
      this.log.debug(`${key} down: ${error instanceof Error ? error.message : String(error)}`);
    }
    return check.down({ message: `${key} unreachable` });
  }
}
