import { Logger } from '@nestjs/common';

// PostgreSQL errors that no waiting fixes: the configuration (DATABASE_URL) or the schema is wrong.
const DATABASE_CONFIG_ERRORS: Record<string, string> = {
  '3D000': 'create it (npm run db:ensure), then run the migrations (npm run migration:run)',
  '28P01': 'check the user and password',
  '28000': 'check the user, the database and pg_hba.conf',
  '42P01': 'run the migrations (npm run migration:run)',
};

/**
 * The last word of an app whose start-up failed for a reason other than an outage (outages are waited out):
 * a database it can not use is named by its variable and exits 78 (EX_CONFIG, as bad configuration does);
 * anything else is logged with its stack and exits 1. Never a raw unhandled rejection.
 */
export function exitOnStartupFailure(error: unknown, app: string): never {
  const pg = error as { code?: unknown; message?: unknown } | null;
  const hint = typeof pg?.code === 'string' ? DATABASE_CONFIG_ERRORS[pg.code] : undefined;
  if (hint !== undefined) {
    process.stderr.write(`Invalid configuration:\n  - DATABASE_URL: ${String(pg?.message)}: ${hint}\n`);
    process.exit(78);
  }
  new Logger(app).error(error);
  process.exit(1);
}
