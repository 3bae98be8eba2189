import { AppConfig, ConfigError, ConfigProcess, loadConfig } from '@app/config';

/**
 * Loads the configuration of one process (only the variables it reads, docs/decisions/0161) for its entry point;
 * a bad variable prints its name and stops the process before anything connects.
 */
export function loadConfigOrExit(app: ConfigProcess, check?: (config: AppConfig) => void): AppConfig {
  try {
    const config = loadConfig(process.env, app);
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
