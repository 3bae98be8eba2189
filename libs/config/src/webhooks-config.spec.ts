import { loadConfig } from './load-config';

describe('webhooks config (WEBHOOK_*)', () => {
  it('has safe defaults: no private targets, http only outside production, retries for a day', () => {
    const dev = loadConfig({}).webhooks;
    expect(dev).toMatchObject({
      retryForSeconds: 86_400,
      retryBaseMs: 1000,
      allowPrivateTargets: false,
      allowHttp: true,
      allowedHosts: undefined,
    });
    expect(
      loadConfig({ NODE_ENV: 'production', ORCHESTRATOR_PUBLIC_URL: 'https://o.example.com' }).webhooks.allowHttp,
    ).toBe(false);
  });

  it('reads the allow-list in lower case and the switches', () => {
    const c = loadConfig({
      WEBHOOK_ALLOWED_HOSTS: ' Hooks.Example.com, ci.example.org ',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_ALLOW_HTTP: 'false',
      WEBHOOK_RETRY_FOR_SECONDS: '600',
    }).webhooks;
    expect(c).toMatchObject({
      allowedHosts: ['hooks.example.com', 'ci.example.org'],
      allowPrivateTargets: true,
      allowHttp: false,
      retryForSeconds: 600,
    });
  });

  it.each([
    ['WEBHOOK_ALLOWED_HOSTS', 'https://hooks.example.com', /WEBHOOK_ALLOWED_HOSTS must be comma-separated host names/],
    ['WEBHOOK_ALLOW_PRIVATE_TARGETS', 'yes', /WEBHOOK_ALLOW_PRIVATE_TARGETS must be one of true, false/],
    ['WEBHOOK_RETRY_FOR_SECONDS', '0', /WEBHOOK_RETRY_FOR_SECONDS must be between/],
    ['WEBHOOK_TIMEOUT_MS', 'soon', /WEBHOOK_TIMEOUT_MS must be an integer/],
  ])('refuses a bad %s naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
