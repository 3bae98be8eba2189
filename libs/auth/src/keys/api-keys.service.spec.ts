import { loadConfig } from '@app/config';
import type { AuditService } from '../audit/audit.service';
import { hashApiKey } from './api-key';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

// Counts the hashing the hot path is meant to skip; the hash itself stays the real one.
jest.mock('./api-key', () => {
  const actual = jest.requireActual<typeof import('./api-key')>('./api-key');
  return { ...actual, hashApiKey: jest.fn(actual.hashApiKey) };
});
const hashed = hashApiKey as jest.MockedFunction<typeof hashApiKey>;

const KEY = 'ea_0123456789abcdef0123456789abcdef';

function row(overrides: Partial<ApiKeyRow> = {}): ApiKeyRow {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'ci',
    key_hash: 'h',
    prefix: KEY.slice(0, 10),
    scopes: ['tasks:read'],
    agent_ids: null,
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    created_by: null,
    provisioned: false,
    created_at: new Date(),
    ...overrides,
  };
}

function service(stored: Map<string, ApiKeyRow>) {
  const findByHash = jest.fn((hash: string) => Promise.resolve(stored.get(hash)));
  const repository = {
    findByHash,
    findById: jest.fn(() => Promise.resolve([...stored.values()][0])),
    revoke: jest.fn(() => Promise.resolve(true)),
  } as unknown as ApiKeysRepository;
  const audit = {
    transaction: async <T>(_scope: unknown, work: (m: unknown) => Promise<{ value: T }>) =>
      (await work(undefined)).value,
  } as unknown as AuditService;
  return { keys: new ApiKeysService(loadConfig({}), repository, audit), findByHash };
}

const resolve = async <T>(value: T | Promise<T>): Promise<T> => value;

describe('ApiKeysService.verify', () => {
  let now: number;
  beforeEach(() => {
    hashed.mockClear();
    now = 1_800_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('hashes a known key once, then answers it from memory, synchronously, with the same principal', async () => {
    const { keys, findByHash } = service(new Map([[hashApiKey(KEY), row()]]));
    hashed.mockClear();
    const first = await resolve(keys.verify(KEY));
    const second = keys.verify(KEY);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(first);
    expect(first).toMatchObject({ kind: 'api_key', name: 'ci', scopes: ['tasks:read'] });
    expect(hashed).toHaveBeenCalledTimes(1);
    expect(findByHash).toHaveBeenCalledTimes(1);
  });

  it('never holds a key it does not know: a guessed key is hashed (and refused) every time', async () => {
    const { keys, findByHash } = service(new Map());
    expect(await resolve(keys.verify('ea_guess-1-guess-1-guess-1'))).toBeUndefined();
    expect(await resolve(keys.verify('ea_guess-1-guess-1-guess-1'))).toBeUndefined();
    expect(hashed).toHaveBeenCalledTimes(2);
    // The hash-keyed lookup is cached as before: one database read for the same unknown hash.
    expect(findByHash).toHaveBeenCalledTimes(1);
  });

  it('reads the key again once its row is older than the cache time: a revocation elsewhere takes effect', async () => {
    const stored = new Map([[hashApiKey(KEY), row()]]);
    const { keys, findByHash } = service(stored);
    expect(await resolve(keys.verify(KEY))).toBeDefined();
    stored.set(hashApiKey(KEY), row({ revoked_at: new Date(now) }));
    now += 4_999;
    expect(await resolve(keys.verify(KEY))).toBeDefined();
    now += 2;
    expect(await resolve(keys.verify(KEY))).toBeUndefined();
    expect(findByHash).toHaveBeenCalledTimes(2);
  });

  it('refuses an expired key even while it is held', async () => {
    const { keys } = service(new Map([[hashApiKey(KEY), row({ expires_at: new Date(now + 1_000) })]]));
    expect(await resolve(keys.verify(KEY))).toBeDefined();
    now += 1_000;
    expect(await resolve(keys.verify(KEY))).toBeUndefined();
  });

  it('forgets every held key when a key is revoked here', async () => {
    const stored = new Map([[hashApiKey(KEY), row()]]);
    const { keys } = service(stored);
    expect(await resolve(keys.verify(KEY))).toBeDefined();
    stored.set(hashApiKey(KEY), row({ revoked_at: new Date(now) }));
    await keys.revoke(row().id);
    hashed.mockClear();
    expect(await resolve(keys.verify(KEY))).toBeUndefined();
    expect(hashed).toHaveBeenCalledTimes(1);
  });
});
