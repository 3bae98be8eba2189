import { DomainException, isPrivateAddress } from '@app/edge';
import { checkTargetUrl } from './card-fetcher';

describe('the SSRF guard of remote agent URLs', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
  ])('blocks %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1'])('lets %s through', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );

  const code = (url: string, allowPrivate = false) => {
    try {
      checkTargetUrl(url, 'card_url', allowPrivate);
      return 'ok';
    } catch (err) {
      return (err as DomainException).code;
    }
  };

  it('refuses other schemes, credentials and literal private addresses; allows them only when configured', () => {
    expect(code('file:///etc/passwd')).toBe('TARGET_REFUSED');
    expect(code('https://user:pw@example.com/card')).toBe('TARGET_REFUSED');
    expect(code('http://[::1]:8080/card')).toBe('TARGET_REFUSED');
    expect(code('http://169.254.169.254/latest')).toBe('TARGET_REFUSED');
    expect(code('http://127.0.0.1:8080/card', true)).toBe('ok');
    expect(code('https://agents.example.com/card')).toBe('ok');
    expect(code('not a url')).toBe('CARD_INVALID');
  });
});
