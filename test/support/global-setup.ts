// globalSetup runs outside Jest's module registry, so moduleNameMapper does not apply: resolve @app/* here.
import 'tsconfig-paths/register';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/persistence';
import { TEST_DATABASE_URL, TEST_DATABASE_NAME, ADMIN_DATABASE_URL } from './test-env';

/**
 * Once per e2e run: a fresh test database (never the development one) with every migration
 * applied through the same DataSource options the apps use.
 */
export default async function globalSetup(): Promise<void> {
  ensureBuild();
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEST_DATABASE_NAME}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEST_DATABASE_NAME}"`);
  } finally {
    await admin.end();
  }
  const ds = new DataSource(dataSourceOptions(TEST_DATABASE_URL));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

/**
 * Some suites run the apps as production does, from dist/ (monitoring, the fault campaign): on a fresh checkout
 * `npm test` builds once first instead of failing there. An existing build is used as it is (CI builds before).
 */
function ensureBuild(): void {
  const root = join(__dirname, '..', '..');
  const apps = ['registry', 'orchestrator', 'agent-host'];
  if (apps.every((app) => existsSync(join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js')))) return;
  process.stderr.write('\nno build in dist/: running npm run build first (once)\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
