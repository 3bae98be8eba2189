import { EnvReader } from './env-reader';

/** The operator console (served by the orchestrator at /console) and the registry's CORS allow-list it relies on. */
export interface ConsoleConfig {
  /** CONSOLE_REGISTRY_URL: the registry as browsers reach it (default REGISTRY_URL). */
  registryPublicUrl: string;
  /** CONSOLE_GRAFANA_URL: Grafana's dashboards, linked from the console. */
  grafanaUrl: string;
  /** CONSOLE_ASSETS_DIR: the built console (index.html, console.js, console.css). */
  assetsDir: string;
  /**
   * REGISTRY_CORS_ORIGINS: origins allowed to call the registry from a browser (comma separated,
   * `none` for no CORS). Default: the orchestrator's local origins outside production, none in production.
   */
  registryCorsOrigins: string[];
}

/** Defaults come from other fields of the configuration (already validated by loadConfig). */
export function consoleConfig(
  env: EnvReader,
  defaults: { nodeEnv: string; orchestratorPort: number; registryUrl: string },
): ConsoleConfig {
  const { orchestratorPort, registryUrl } = defaults;
  const localOrigins = [`http://127.0.0.1:${orchestratorPort}`, `http://localhost:${orchestratorPort}`];
  const rawOrigins = env.optionalString('REGISTRY_CORS_ORIGINS');
  let registryCorsOrigins = defaults.nodeEnv === 'production' ? [] : localOrigins;
  if (rawOrigins !== undefined) {
    registryCorsOrigins = rawOrigins === 'none' ? [] : rawOrigins.split(',').map((o) => o.trim());
    for (const origin of registryCorsOrigins) {
      // An origin is scheme://host[:port] with nothing after it; `*` would let any page drive the registry.
      if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin))
        env.fail(
          `REGISTRY_CORS_ORIGINS must be "none" or comma-separated origins such as https://console.example.com (bad: "${origin}")`,
        );
    }
  }
  return {
    registryPublicUrl: env.url('CONSOLE_REGISTRY_URL', registryUrl, ['http:', 'https:']).replace(/\/+$/, ''),
    grafanaUrl: env.url('CONSOLE_GRAFANA_URL', 'http://localhost:3000', ['http:', 'https:']).replace(/\/+$/, ''),
    assetsDir: env.string('CONSOLE_ASSETS_DIR', 'dist/console'),
    registryCorsOrigins,
  };
}
