import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiKeys } from '../src/api-keys/api-keys.ts';
import { AuthConfigError, AuthStoreUnavailableError } from '../src/errors.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import type { AuthStore } from '../src/store/types.ts';
import { makeStore, STORES } from './helpers.ts';

/** The store under test, with every value written to it kept, to look for secrets. */
function recording(inner: AuthStore) {
  const written: { key: string; value: string }[] = [];
  const store: AuthStore = {
    kind: inner.kind,
    get: (key) => inner.get(key),
    set: async (key, value, ttlMs) => {
      written.push({ key, value });
      await inner.set(key, value, ttlMs);
    },
    add: async (key, value, ttlMs) => {
      written.push({ key, value });
      return inner.add(key, value, ttlMs);
    },
    take: (key) => inner.take(key),
    delete: (...keys) => inner.delete(...keys),
    addMember: async (set, member, ttlMs) => {
      written.push({ key: set, value: member });
      await inner.addMember(set, member, ttlMs);
    },
    removeMember: (set, member) => inner.removeMember(set, member),
    members: (set) => inner.members(set),
  };
  return { store, written };
}

const KEY = /^fw_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const secretOf = (key: string) => key.slice(-43);
const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

afterEach(() => {
  vi.useRealTimers();
});

describe.each(STORES)('API keys on the %s store', (kind) => {
  const setup = () => {
    const { store, written } = recording(makeStore(kind));
    return { store, written, apiKeys: createApiKeys(store) };
  };

  it('create gives a key shown once; verify gives its record back', async () => {
    const { apiKeys } = setup();
    const { id, key, record } = await apiKeys.create({ userId: '42', name: 'ci', permissions: ['read:reports'] });
    expect(key).toMatch(KEY);
    expect(KEY.exec(key)?.[1]).toBe(id);
    expect(record).toEqual({
      id,
      name: 'ci',
      userId: '42',
      permissions: ['read:reports'],
      createdAt: expect.any(Number),
    });
    const verified = await apiKeys.verify(key);
    expect(verified).toMatchObject({ id, name: 'ci', userId: '42', permissions: ['read:reports'] });
    expect(verified).not.toHaveProperty('hash');
    const other = await apiKeys.create({ name: 'no user', permissions: [] });
    expect(other.key).not.toBe(key);
    expect((await apiKeys.verify(other.key))?.userId).toBeUndefined();
  });

  it('the right id with a wrong secret is refused', async () => {
    const { apiKeys } = setup();
    const { key } = await apiKeys.create({ userId: '42', name: 'ci', permissions: ['*'] });
    const other = await apiKeys.create({ userId: '43', name: 'other', permissions: ['*'] });
    expect(await apiKeys.verify(flip(key, key.length - 1))).toBeUndefined();
    expect(await apiKeys.verify(flip(key, key.length - 43))).toBeUndefined();
    // Another key's valid secret under this key's id.
    expect(await apiKeys.verify(key.slice(0, key.length - 43) + secretOf(other.key))).toBeUndefined();
    expect(await apiKeys.verify(key)).toBeDefined();
  });

  it('a made-up id, a truncated or padded key, another prefix and junk are refused', async () => {
    const { apiKeys } = setup();
    const { key } = await apiKeys.create({ name: 'ci', permissions: [] });
    const madeUp = `fw_${'0'.repeat(32)}_${secretOf(key)}`;
    for (const attempt of [
      madeUp,
      key.slice(0, -1),
      key.slice(0, 40),
      `${key}A`,
      ` ${key}`,
      key.replace(/^fw_/, 'xx_'),
      key.replace(/_/, '-'),
      key.toUpperCase(),
      '',
      'fw__',
      'x'.repeat(100_000),
    ]) {
      expect(await apiKeys.verify(attempt)).toBeUndefined();
    }
    const verify: (key: unknown) => Promise<unknown> = (value) => Reflect.apply(apiKeys.verify, apiKeys, [value]);
    expect(await verify(undefined)).toBeUndefined();
    expect(await verify({ toString: () => key })).toBeUndefined();
  });

  it('a revoked key is refused at once and stays listed as revoked', async () => {
    const { apiKeys } = setup();
    const { id, key } = await apiKeys.create({ userId: '42', name: 'ci', permissions: ['read:reports'] });
    expect(await apiKeys.verify(key)).toBeDefined();
    expect(await apiKeys.revoke(id)).toBe(true);
    expect(await apiKeys.verify(key)).toBeUndefined();
    expect(await apiKeys.revoke(id)).toBe(true);
    expect(await apiKeys.verify(key)).toBeUndefined();
    const [listed] = await apiKeys.list('42');
    expect(listed).toMatchObject({ id, revokedAt: expect.any(Number), lastUsedAt: expect.any(Number) });
    expect(await apiKeys.revoke('0'.repeat(32))).toBe(false);
    expect(await apiKeys.revoke('../../etc')).toBe(false);
  });

  it('an expired key is refused', async () => {
    const { apiKeys } = setup();
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const { key, record } = await apiKeys.create({ name: 'ci', permissions: [], expiresIn: '1h' });
    expect(record.expiresAt).toBe(start + 3_600_000);
    vi.setSystemTime(start + 3_600_000 - 1);
    expect(await apiKeys.verify(key)).toBeDefined();
    vi.setSystemTime(start + 3_600_000);
    expect(await apiKeys.verify(key)).toBeUndefined();
    expect((await apiKeys.list()).map((listed) => listed.expiresAt)).toEqual([start + 3_600_000]);
  });

  it('lastUsedAt is written on use, at most once a minute', async () => {
    const { apiKeys, written } = setup();
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const { id, key } = await apiKeys.create({ name: 'ci', permissions: [] });
    expect((await apiKeys.list())[0]?.lastUsedAt).toBeUndefined();
    const touches = () =>
      written.filter((write) => write.key.includes(id) && write.value !== id && !write.value.startsWith('{')).length;

    expect((await apiKeys.verify(key))?.lastUsedAt).toBe(start);
    vi.setSystemTime(start + 30_000);
    expect((await apiKeys.verify(key))?.lastUsedAt).toBe(start);
    expect((await apiKeys.verify(key))?.lastUsedAt).toBe(start);
    expect(touches()).toBe(1);
    vi.setSystemTime(start + 60_000);
    expect((await apiKeys.verify(key))?.lastUsedAt).toBe(start + 60_000);
    expect(touches()).toBe(2);
    expect((await apiKeys.list())[0]?.lastUsedAt).toBe(start + 60_000);
  });

  it('the store never holds the secret or the key, only its SHA-256', async () => {
    const { apiKeys, written } = setup();
    const { id, key } = await apiKeys.create({ userId: '42', name: 'ci', permissions: ['read:*'], expiresIn: '90d' });
    await apiKeys.verify(key);
    await apiKeys.revoke(id);
    const secret = secretOf(key);
    expect(written.length).toBeGreaterThan(0);
    for (const { key: storeKey, value } of written) {
      expect(value).not.toContain(secret);
      expect(storeKey).not.toContain(secret);
    }
    const record = written.find((write) => write.key === `apikey:${id}`);
    expect(JSON.parse(record?.value ?? '{}').hash).toBe(createHash('sha256').update(secret).digest('base64url'));
  });

  it('list gives the keys of a user, or all, oldest first, without hashes', async () => {
    const { store, apiKeys } = setup();
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const first = await apiKeys.create({ userId: 'a', name: 'one', permissions: [] });
    vi.setSystemTime(start + 1_000);
    const second = await apiKeys.create({ userId: 'a', name: 'two', permissions: ['read:*'] });
    vi.setSystemTime(start + 2_000);
    const third = await apiKeys.create({ userId: 'b', name: 'three', permissions: [] });
    vi.setSystemTime(start + 3_000);
    const unowned = await apiKeys.create({ name: 'four', permissions: [] });

    expect((await apiKeys.list('a')).map((record) => record.name)).toEqual(['one', 'two']);
    expect((await apiKeys.list('b')).map((record) => record.id)).toEqual([third.id]);
    expect(await apiKeys.list('nobody')).toEqual([]);
    const all = await apiKeys.list();
    expect(all.map((record) => record.id)).toEqual([first.id, second.id, third.id, unowned.id]);
    for (const record of all) expect(Object.keys(record)).not.toContain('hash');

    // A record gone from the store (deleted by hand, or past its retention) leaves the lists.
    await store.delete(`apikey:${second.id}`);
    expect((await apiKeys.list('a')).map((record) => record.id)).toEqual([first.id]);
    expect(await store.members('apikeys:user:a')).toEqual([first.id]);
    expect(await apiKeys.verify(second.key)).toBeUndefined();
  });
});

describe('API keys: requests, options and failures', () => {
  const apiKeys = createApiKeys(new MemoryAuthStore());

  it('fromRequest reads the header, then Authorization: ApiKey', () => {
    expect(apiKeys.fromRequest({ 'x-api-key': 'fw_abc' })).toBe('fw_abc');
    expect(apiKeys.fromRequest({ 'x-api-key': ' fw_abc ' })).toBe('fw_abc');
    expect(apiKeys.fromRequest({ authorization: 'ApiKey fw_abc' })).toBe('fw_abc');
    expect(apiKeys.fromRequest({ authorization: 'apikey  fw_abc' })).toBe('fw_abc');
    expect(apiKeys.fromRequest({ 'x-api-key': 'fw_one', authorization: 'ApiKey fw_two' })).toBe('fw_one');
    expect(apiKeys.fromRequest({ authorization: 'Bearer fw_abc' })).toBeUndefined();
    expect(apiKeys.fromRequest({ authorization: 'ApiKey' })).toBeUndefined();
    expect(apiKeys.fromRequest({ authorization: 'ApiKey a b' })).toBeUndefined();
    expect(apiKeys.fromRequest({ 'x-api-key': ['fw_one', 'fw_two'] })).toBeUndefined();
    expect(apiKeys.fromRequest({ 'x-api-key': '' })).toBeUndefined();
    expect(apiKeys.fromRequest({})).toBeUndefined();
  });

  it('a custom prefix and header', async () => {
    const custom = createApiKeys(new MemoryAuthStore(), { prefix: 'acme', header: 'X-Acme-Key' });
    const { key } = await custom.create({ name: 'ci', permissions: [] });
    expect(key.startsWith('acme_')).toBe(true);
    expect(custom.header).toBe('x-acme-key');
    expect(custom.fromRequest({ 'x-acme-key': key })).toBe(key);
    expect(custom.fromRequest({ 'x-api-key': key })).toBeUndefined();
    expect(await custom.verify(key)).toBeDefined();
    expect(await custom.verify(key.replace(/^acme_/, 'fw_'))).toBeUndefined();
  });

  it('refuses bad options and bad input with what to write', async () => {
    expect(() => createApiKeys(new MemoryAuthStore(), { prefix: 'f_w' })).toThrow(AuthConfigError);
    expect(() => createApiKeys(new MemoryAuthStore(), { header: 'authorization' })).toThrow(/always read/);
    expect(() => Reflect.apply(createApiKeys, undefined, [new MemoryAuthStore(), { prefx: 'x' }])).toThrow(
      /Did you mean "prefix"/,
    );
    const create = (input: unknown) => Reflect.apply(apiKeys.create, apiKeys, [input]);
    await expect(create({ name: 'ci', permissions: ['*:reports'] })).rejects.toThrow(/wildcard action/);
    await expect(create({ name: 'ci', permissions: ['admin'] })).rejects.toThrow(/not a permission/);
    await expect(create({ name: 'ci', permissions: ['read:a:b'] })).rejects.toThrow(AuthConfigError);
    await expect(create({ name: '', permissions: [] })).rejects.toThrow(/name must be a label/);
    await expect(create({ name: 'ci', permissions: 'read:*' })).rejects.toThrow(/permissions must be a list/);
    await expect(create({ name: 'ci', permissions: [], expiresIn: 'soon' })).rejects.toThrow(/must be a duration/);
    await expect(create({ name: 'ci', permissions: [], expiresIn: 0 })).rejects.toThrow(/longer than 0/);
    await expect(create({ name: 'ci', permissions: [], scope: 'x' })).rejects.toThrow(/no option "scope"/);
  });

  it('a store that does not answer fails the check (503), never lets the key through', async () => {
    const good = new MemoryAuthStore();
    const working = createApiKeys(good);
    const { key } = await working.create({ name: 'ci', permissions: [] });
    const down: AuthStore = {
      ...recording(good).store,
      get: () => Promise.reject(new AuthStoreUnavailableError('memory')),
    };
    const failing = createApiKeys(down);
    const error = await failing.verify(key).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AuthStoreUnavailableError);
    expect(error instanceof AuthStoreUnavailableError && error.status).toBe(503);
  });
});
