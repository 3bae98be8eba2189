import { lookup } from 'node:dns';
import { isPrivateAddress } from '@app/edge';
import type { LookupFunction } from 'node:net';

/** Raised by the guarded lookup: the name resolved to an address outside agents may not use. */
export class TargetRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a loopback, private or reserved address`);
    this.name = 'TargetRefusedError';
  }
}

/**
 * A DNS lookup for node:http that refuses blocked addresses. The check runs on the address the
 * socket really connects to, so a name that re-resolves between check and connect (DNS
 * rebinding) is refused too.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses;
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) return callback(new TargetRefusedError(hostname, refused.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
