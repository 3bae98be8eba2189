import { ConfigError, loadConfig, AppConfig } from '@app/config';

/**
 * Loads the configuration for a process entry point; a bad variable prints its name and stops
 * the process before anything connects.
 */
export function loadConfigOrExit(check?: (config: AppConfig) => void): AppConfig {
  try {
    const config = loadConfig(process.env);
    check?.(config); // an app's own start-up rules (they throw ConfigError too)
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
