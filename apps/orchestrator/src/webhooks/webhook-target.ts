import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '@app/edge';
import type { WebhooksConfig } from '@app/config';

/** Why a target is refused, phrased for the `url` field of a 400 or an attempt's error. */
export class TargetRefused extends Error {}

type Resolve = (host: string) => Promise<string[]>;
const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The rules a webhook URL must pass at creation and again before every delivery (a name may
 * resolve elsewhere later): https (http only where allowed), no credentials in the URL, a host
 * from WEBHOOK_ALLOWED_HOSTS when set, and no private or loopback address unless
 * WEBHOOK_ALLOW_PRIVATE_TARGETS. Returns the normalized URL.
 */
export async function checkTarget(raw: string, config: WebhooksConfig, resolve: Resolve = resolveAll): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('must be an absolute URL such as https://hooks.example.com/expert-agents');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && config.allowHttp))
    throw new TargetRefused(
      config.allowHttp ? 'must use https or http' : `must use https (got ${url.protocol.replace(':', '')})`,
    );
  if (url.username || url.password) throw new TargetRefused('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (config.allowedHosts && !config.allowedHosts.includes(host))
    throw new TargetRefused(`host ${host} is not in WEBHOOK_ALLOWED_HOSTS`);
  if (!config.allowPrivateTargets) {
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolve(host);
    } catch {
      throw new TargetRefused(`host ${host} does not resolve`);
    }
    if (addresses.length === 0 || addresses.some(isPrivateAddress))
      throw new TargetRefused(`host ${host} is a private, loopback or reserved address`);
  }
  return url.toString();
}
