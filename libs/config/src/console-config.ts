import { EnvOf, EnvRules, text, url } from './env-schema';

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

export const CONSOLE_ENV = {
  CONSOLE_REGISTRY_URL: url('The registry as browsers reach it (default REGISTRY_URL).', ['http:', 'https:']),
  CONSOLE_GRAFANA_URL: url(
    "Grafana's dashboards, linked from the console.",
    ['http:', 'https:'],
    'http://localhost:3000',
  ),
  CONSOLE_ASSETS_DIR: text('The built console the orchestrator serves.', { default: 'dist/console' }),
  REGISTRY_CORS_ORIGINS: text(
    "Origins allowed to call the registry from a browser (comma separated, or `none`); default the orchestrator's local origins outside production, none in production.",
  ),
} as const;

/** Defaults come from other fields of the configuration (already validated by loadConfig). */
export function consoleConfig(
  env: EnvOf<typeof CONSOLE_ENV>,
  rules: EnvRules,
  defaults: { nodeEnv: string; orchestratorPort: number; registryUrl: string },
): ConsoleConfig {
  const { orchestratorPort, registryUrl } = defaults;
  const localOrigins = [`http://127.0.0.1:${orchestratorPort}`, `http://localhost:${orchestratorPort}`];
  const rawOrigins = env.REGISTRY_CORS_ORIGINS;
  let registryCorsOrigins = defaults.nodeEnv === 'production' ? [] : localOrigins;
  if (rawOrigins !== undefined) {
    registryCorsOrigins = rawOrigins === 'none' ? [] : rawOrigins.split(',').map((o) => o.trim());
    for (const origin of registryCorsOrigins) {
      // An origin is scheme://host[:port] with nothing after it; `*` would let any page drive the registry.
      if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin))
        rules.fail(
          `REGISTRY_CORS_ORIGINS must be "none" or comma-separated origins such as https://console.example.com (bad: "${origin}")`,
        );
    }
  }
  return {
    registryPublicUrl: (env.CONSOLE_REGISTRY_URL ?? registryUrl).replace(/\/+$/, ''),
    grafanaUrl: env.CONSOLE_GRAFANA_URL.replace(/\/+$/, ''),
    assetsDir: env.CONSOLE_ASSETS_DIR,
    registryCorsOrigins,
  };
}
