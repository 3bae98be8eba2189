import type { WebhooksConfig } from '@app/config';
import { isPrivateAddress } from '@app/edge';
import { checkTarget } from './webhook-target';

const config = (over: Partial<WebhooksConfig> = {}): WebhooksConfig => ({
  retryForSeconds: 60,
  retryBaseMs: 100,
  retryMaxDelaySeconds: 10,
  timeoutMs: 1000,
  pollMs: 100,
  batch: 10,
  allowPrivateTargets: false,
  allowHttp: false,
  ...over,
});
const resolveTo =
  (...addresses: string[]) =>
  () =>
    Promise.resolve(addresses);

describe('webhook targets', () => {
  it('knows private, loopback and reserved addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      'not-an-ip',
    ])
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8'])
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it('accepts a public https target and normalizes it', async () => {
    await expect(checkTarget('https://Hooks.Example.com/a', config(), resolveTo('93.184.216.34'))).resolves.toBe(
      'https://hooks.example.com/a',
    );
  });

  it('refuses bad schemes, credentials, hosts outside the allow-list, private and unresolvable hosts', async () => {
    const cases: [string, Partial<WebhooksConfig>, string[], RegExp][] = [
      ['not a url', {}, ['93.184.216.34'], /absolute URL/],
      ['ftp://hooks.example.com/', {}, ['93.184.216.34'], /https/],
      ['http://hooks.example.com/', {}, ['93.184.216.34'], /must use https \(got http\)/],
      ['https://u:p@hooks.example.com/', {}, ['93.184.216.34'], /credentials/],
      [
        'https://evil.example.org/',
        { allowedHosts: ['hooks.example.com'] },
        ['93.184.216.34'],
        /WEBHOOK_ALLOWED_HOSTS/,
      ],
      ['https://hooks.example.com/', {}, ['10.0.0.5'], /private/],
      ['https://hooks.example.com/', {}, ['93.184.216.34', '127.0.0.1'], /private/],
      ['https://127.0.0.1/', {}, [], /private/],
      ['https://[::1]/', {}, [], /private/],
    ];
    for (const [url, over, addresses, error] of cases)
      await expect(checkTarget(url, config(over), resolveTo(...addresses))).rejects.toThrow(error);
    await expect(
      checkTarget('https://nowhere.invalid/', config(), () => Promise.reject(new Error('ENOTFOUND'))),
    ).rejects.toThrow(/does not resolve/);
  });

  it('allows http and private targets only when configured', async () => {
    await expect(
      checkTarget('http://127.0.0.1:8080/hook', config({ allowHttp: true, allowPrivateTargets: true })),
    ).resolves.toBe('http://127.0.0.1:8080/hook');
  });
});
