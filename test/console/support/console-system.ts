import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { createOrchestratorApp } from '../../../apps/orchestrator/src/orchestrator.bootstrap';
import { freePort, Started, systemEnv, TestSystem } from '../../orchestrator/support/system';
import { startRegistry } from '../../registry/registry-test-app';
import { testConfig } from '../../support/http-app';

const ROOT = join(__dirname, '../../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts/console');

/** Builds the console bundle into a temp dir, as `npm run build:console` does into dist/console. */
export function buildConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ea-console-'));
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-console.mjs')], {
    env: { ...process.env, CONSOLE_ASSETS_DIR: dir },
    stdio: 'pipe',
  });
  return dir;
}

/**
 * The whole system for the browser: a registry that allows the orchestrator's origin (CORS), agent
 * hosts, and the orchestrator serving the console built for this run. The orchestrator's port is
 * chosen first so the registry's allow-list can name its origin.
 */
export class ConsoleSystem extends TestSystem {
  assetsDir = '';

  override async start(options: { hosts?: string[] } = {}): Promise<this> {
    this.assetsDir = buildConsole();
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    this.registry = await startRegistry({
      LIVENESS_SWEEP_SECONDS: '1',
      HEARTBEAT_INTERVAL_SECONDS: '1',
      HEARTBEAT_TTL_SECONDS: '3',
      HEARTBEAT_GRACE_SECONDS: '0',
      REGISTRY_CORS_ORIGINS: origin,
    });
    this.env = systemEnv(this.registry.baseUrl, this.transportPrefix);
    for (const ids of options.hosts ?? []) await this.addHost(ids);
    this.orchestrator = await startOrchestratorOn(port, {
      ...this.env,
      CONSOLE_ASSETS_DIR: this.assetsDir,
      CONSOLE_GRAFANA_URL: 'http://127.0.0.1:3000',
    });
    return this;
  }

  override async stop(): Promise<void> {
    await super.stop();
    if (this.assetsDir) rmSync(this.assetsDir, { recursive: true, force: true });
  }
}

async function startOrchestratorOn(port: number, env: Record<string, string>): Promise<Started> {
  const config = testConfig({ ORCHESTRATOR_INSTANCE_ID: `orch-${randomUUID().slice(0, 8)}`, ...env });
  register.clear();
  const app = await createOrchestratorApp(config);
  await app.listen({ port, host: '127.0.0.1' });
  return { app, config, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a screenshot (the full page unless told otherwise) under test-artifacts/console/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}
