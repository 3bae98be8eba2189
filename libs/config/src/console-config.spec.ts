import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

describe('console settings', () => {
  it('defaults: registry as REGISTRY_URL, the orchestrator origins allowed outside production, none in production', () => {
    const dev = loadConfig({ ORCHESTRATOR_PORT: '5300', REGISTRY_URL: 'http://registry.internal:5100' });
    expect(dev.console).toEqual({
      registryPublicUrl: 'http://registry.internal:5100',
      grafanaUrl: 'http://localhost:3000',
      assetsDir: 'dist/console',
      registryCorsOrigins: ['http://127.0.0.1:5300', 'http://localhost:5300'],
    });
    expect(loadConfig({ NODE_ENV: 'production' }).console.registryCorsOrigins).toEqual([]);
  });

  it('reads the allow-list, "none", and public URLs without a trailing slash', () => {
    const config = loadConfig({
      REGISTRY_CORS_ORIGINS: 'https://console.example.com, http://10.0.0.5:5200',
      CONSOLE_REGISTRY_URL: 'https://registry.example.com/',
      CONSOLE_GRAFANA_URL: 'https://grafana.example.com/',
    });
    expect(config.console.registryCorsOrigins).toEqual(['https://console.example.com', 'http://10.0.0.5:5200']);
    expect(config.console.registryPublicUrl).toBe('https://registry.example.com');
    expect(config.console.grafanaUrl).toBe('https://grafana.example.com');
    expect(loadConfig({ REGISTRY_CORS_ORIGINS: 'none' }).console.registryCorsOrigins).toEqual([]);
  });

  it.each([['*'], ['https://console.example.com/path'], ['console.example.com'], ['ftp://x.example']])(
    'refuses the origin %s, naming the variable',
    (value) => {
      expect(() => loadConfig({ REGISTRY_CORS_ORIGINS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ REGISTRY_CORS_ORIGINS: value })).toThrow(/REGISTRY_CORS_ORIGINS/);
    },
  );

  it('refuses a console URL that is not http(s)', () => {
    expect(() => loadConfig({ CONSOLE_GRAFANA_URL: 'javascript:alert(1)' })).toThrow(/CONSOLE_GRAFANA_URL/);
    expect(() => loadConfig({ CONSOLE_REGISTRY_URL: 'not a url' })).toThrow(/CONSOLE_REGISTRY_URL/);
  });
});
