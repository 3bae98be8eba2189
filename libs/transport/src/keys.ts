/** Address of every live instance (the seed's `agent:broadcast`). */
export const BROADCAST_ADDRESS = 'ALL';

const ADDRESS_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Addresses become a Redis Cluster hash tag, so braces (and anything exotic) are refused up front. */
export function assertValidAddress(address: string): void {
  if (!ADDRESS_RE.test(address)) {
    throw new Error(`invalid transport address ${JSON.stringify(address)}: use 1-128 of [A-Za-z0-9_.:-]`);
  }
}

/**
 * Key naming. Every key of one address carries the hash tag `{address}` so its stream, dead-letter stream and
 * consumer group live in one Redis Cluster slot (MULTI across them stays legal).
 */
export class TransportKeys {
  constructor(readonly prefix: string = 'ea') {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix))
      throw new Error(`invalid transport key prefix ${JSON.stringify(prefix)}`);
  }

  stream(address: string): string {
    assertValidAddress(address);
    return `${this.prefix}:{${address}}:stream`;
  }

  deadLetter(address: string): string {
    assertValidAddress(address);
    return `${this.prefix}:{${address}}:dlq`;
  }

  /** Per-client reply stream for request/response; tagged by the client id, not by the target. */
  reply(clientId: string): string {
    assertValidAddress(clientId);
    return `${this.prefix}:{${clientId}}:reply`;
  }
}

/** The consumer group of a broadcast-joining instance: one group per live instance. */
export function broadcastGroup(consumerName: string): string {
  return `broadcast:${consumerName}`;
}

/** The smallest stream id strictly greater than `id` ("ms-seq"). */
export function nextStreamId(id: string): string {
  const [ms, seq] = id.split('-');
  if (seq === undefined) return `${ms}-1`;
  return `${ms}-${BigInt(seq) + 1n}`;
}

/** Numeric comparison of two stream ids. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const dm = BigInt(am) - BigInt(bm);
  if (dm !== 0n) return dm < 0n ? -1 : 1;
  const ds = BigInt(as) - BigInt(bs);
  return ds === 0n ? 0 : ds < 0n ? -1 : 1;
}
