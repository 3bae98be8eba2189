import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { WebhooksConfig } from '@app/config';

/** Loopback, private, link-local, carrier-grade NAT, multicast and reserved ranges: never a webhook target by default. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address: never trusted
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  // IPv4-mapped (::ffff:a.b.c.d or ::ffff:xxxx:xxxx): the IPv4 address decides.
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (mapped) {
    if (mapped[1]) return isPrivateAddress(mapped[1]);
    const hi = parseInt(mapped[2], 16);
    const lo = parseInt(mapped[3], 16);
    return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return PRIVATE.check(address, 'ipv6');
}

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
