import { Subject } from 'rxjs';
import { RegistryEvent } from '../events/registry-event';
import { RegistryEventsService } from '../events/registry-events.service';
import { DISCOVERY_CACHE_TTL_MS, DiscoveryCache } from './discovery-cache';

function setup() {
  const events = new Subject<RegistryEvent>();
  const resync = new Subject<void>();
  let now = 1_000;
  const cache = new DiscoveryCache({
    events$: events.asObservable(),
    resync$: resync.asObservable(),
  } as unknown as RegistryEventsService);
  cache.now = () => now;
  cache.onModuleInit();
  return { cache, events, resync, advance: (ms: number) => (now += ms) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('DiscoveryCache', () => {
  it('serves a hit without loading again', async () => {
    const { cache } = setup();
    const load = jest.fn().mockResolvedValue(['A-001']);
    await cache.get('role:x', load);
    await expect(cache.get('role:x', load)).resolves.toEqual(['A-001']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('after the TTL serves the old value once while refreshing in the background', async () => {
    const { cache, advance } = setup();
    await cache.get('k', () => Promise.resolve('v1'));
    advance(DISCOVERY_CACHE_TTL_MS);
    const refresh = jest.fn().mockResolvedValue('v2');
    const [first, second] = [cache.get('k', refresh), cache.get('k', refresh)];
    await expect(first).resolves.toBe('v1');
    await expect(second).resolves.toBe('v1');
    await flush();
    expect(refresh).toHaveBeenCalledTimes(1);
    await expect(cache.get('k', refresh)).resolves.toBe('v2');
  });

  it('drops a refresh that started before a clear', async () => {
    const { cache, events, advance } = setup();
    await cache.get('k', () => Promise.resolve('old'));
    advance(DISCOVERY_CACHE_TTL_MS);
    const slow = deferred<string>();
    await cache.get('k', () => slow.promise);
    events.next({ type: 'status_changed', agent_id: 'A-001', at: '', origin: 'o', data: {} });
    slow.resolve('stale');
    await flush();
    await expect(cache.get('k', () => Promise.resolve('fresh'))).resolves.toBe('fresh');
  });

  it('shares one load between concurrent misses', async () => {
    const { cache } = setup();
    const load = jest.fn().mockResolvedValue([]);
    await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('is cleared by any registry event and by a resync', async () => {
    const { cache, events, resync } = setup();
    const load = jest.fn().mockResolvedValue([]);
    await cache.get('k', load);
    events.next({ type: 'load_changed', agent_id: 'A-001', at: '', origin: 'o', data: {} });
    await cache.get('k', load);
    resync.next();
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('does not keep a failed load', async () => {
    const { cache } = setup();
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    await flush();
    await expect(cache.get('k', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
