import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthConfigError, AuthStoreUnavailableError } from '../src/errors.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import { RedisAuthStore } from '../src/store/redis.ts';
import type { AuthStore } from '../src/store/types.ts';
import { afterThisTest, makeStore, quiet, STORES, sleep } from './helpers.ts';

/** One behaviour of the contract: it runs unchanged on every store. */
interface ContractCase {
  name: string;
  run(store: AuthStore): Promise<void>;
}

const CASES: ContractCase[] = [
  {
    name: 'gets what was set, misses what was not, and overwrites',
    async run(store) {
      expect(await store.get('session:a')).toBeUndefined();
      await store.set('session:a', '{"user":"1"}', 60_000);
      expect(await store.get('session:a')).toBe('{"user":"1"}');
      await store.set('session:a', 'second', 60_000);
      expect(await store.get('session:a')).toBe('second');
    },
  },
  {
    name: 'forgets a value once its time-to-live has passed',
    async run(store) {
      await store.set('short', 'v', 150);
      await store.set('long', 'v', 60_000);
      expect(await store.get('short')).toBe('v');
      await sleep(300);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.get('long')).toBe('v');
    },
  },
  {
    name: 'add writes only when the key is absent (or expired)',
    async run(store) {
      expect(await store.add('marker', 'first', 150)).toBe(true);
      expect(await store.add('marker', 'second', 60_000)).toBe(false);
      expect(await store.get('marker')).toBe('first');
      await sleep(300);
      expect(await store.add('marker', 'third', 60_000)).toBe(true);
      expect(await store.get('marker')).toBe('third');
    },
  },
  {
    name: 'of 50 concurrent adds of one key, exactly one writes',
    async run(store) {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.add('once', String(i), 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    },
  },
  {
    name: 'take gives the value exactly once under 50 concurrent takes, and deletes it',
    async run(store) {
      await store.set('refresh:family', 'token', 60_000);
      const taken = await Promise.all(Array.from({ length: 50 }, () => store.take('refresh:family')));
      expect(taken.filter((value) => value === 'token')).toHaveLength(1);
      expect(taken.filter((value) => value === undefined)).toHaveLength(49);
      expect(await store.get('refresh:family')).toBeUndefined();
      expect(await store.take('never-set')).toBeUndefined();
    },
  },
  {
    name: 'deletes several keys at once; missing ones are no error',
    async run(store) {
      await store.set('a', '1', 60_000);
      await store.set('b', '2', 60_000);
      await store.set('c', '3', 60_000);
      await store.delete('a', 'b', 'missing');
      await store.delete();
      expect(await store.get('a')).toBeUndefined();
      expect(await store.get('b')).toBeUndefined();
      expect(await store.get('c')).toBe('3');
    },
  },
  {
    name: 'sets: members added, listed and removed; a missing set is empty',
    async run(store) {
      expect(await store.members('user-sessions:1')).toEqual([]);
      await store.addMember('user-sessions:1', 'x', 60_000);
      await store.addMember('user-sessions:1', 'y', 60_000);
      await store.addMember('user-sessions:1', 'x', 60_000);
      expect((await store.members('user-sessions:1')).sort()).toEqual(['x', 'y']);
      await store.removeMember('user-sessions:1', 'x');
      await store.removeMember('user-sessions:1', 'not-there');
      await store.removeMember('no-such-set', 'x');
      expect(await store.members('user-sessions:1')).toEqual(['y']);
      expect(await store.members('user-sessions:2')).toEqual([]);
    },
  },
  {
    name: 'a set expires ttl after its last add, and each add pushes its expiry back',
    async run(store) {
      await store.addMember('s', 'a', 400);
      await sleep(250);
      await store.addMember('s', 'b', 400);
      await sleep(250);
      // 500 ms after the first add, 250 ms after the second: alive, with both members.
      expect((await store.members('s')).sort()).toEqual(['a', 'b']);
      await sleep(300);
      expect(await store.members('s')).toEqual([]);
    },
  },
  {
    name: 'keys and sets are separate: a set does not read as a value',
    async run(store) {
      await store.addMember('both', 'm', 60_000);
      expect(await store.members('both')).toEqual(['m']);
      await store.set('value', 'v', 60_000);
      expect(await store.members('other')).toEqual([]);
      expect(await store.get('value')).toBe('v');
    },
  },
];

describe.each(STORES)('the auth store contract on %s', (kind) => {
  it.each(CASES)('$name', async ({ run }) => {
    await run(makeStore(kind));
  });
});

describe('the memory store is bounded', () => {
  it('past maxEntries it evicts the entries closest to expiry, so a flood of logins cannot exhaust memory', async () => {
    const store = makeStore('memory', { maxEntries: 3 });
    await store.set('keep-long', 'v', 60_000);
    await store.set('soonest', 'v', 1_000);
    await store.set('keep-mid', 'v', 30_000);
    await store.set('new', 'v', 45_000);
    expect(await store.get('soonest')).toBeUndefined();
    expect(await store.get('keep-long')).toBe('v');
    expect(await store.get('keep-mid')).toBe('v');
    expect(await store.get('new')).toBe('v');
    for (let i = 0; i < 1_000; i++) await store.set(`flood:${i}`, 'v', 10_000);
    const alive = await Promise.all([...Array(1_000).keys()].map((i) => store.get(`flood:${i}`)));
    expect(alive.filter((value) => value !== undefined).length).toBeLessThanOrEqual(3);
  });

  it('refuses a maxEntries that is not a positive integer', () => {
    expect(() => new MemoryAuthStore({ maxEntries: 0 })).toThrow(/positive integer/);
  });
});

describe('RedisAuthStore options', () => {
  it('refuses an unknown option, naming it and the known ones', () => {
    const client = new Redis({ lazyConnect: true });
    afterThisTest(async () => client.disconnect());
    // @ts-expect-error: misspelled on purpose, as plain JavaScript or a JSON config could.
    expect(() => new RedisAuthStore(client, { prefx: 'a:' })).toThrow(AuthConfigError);
    // @ts-expect-error: misspelled on purpose.
    expect(() => new RedisAuthStore(client, { prefx: 'a:' })).toThrow(/no option "prefx"\. Did you mean "prefix"\?/);
    expect(() => new RedisAuthStore(client, { timeoutMs: 0 })).toThrow(/timeoutMs must be a number of milliseconds/);
  });

  it('keeps its keys under its prefix, and close() leaves the app’s client open', async () => {
    const client = new Redis(process.env.REDIS_URL ?? '', { enableOfflineQueue: false });
    afterThisTest(() => client.quit());
    const store = new RedisAuthStore(client, { prefix: 'prefix-test:' });
    await store.set('k', 'v', 60_000);
    expect(await client.get('prefix-test:k')).toBe('v');
    const ttl = await client.pttl('prefix-test:k');
    expect(ttl).toBeGreaterThan(59_000);
    await store.close();
    expect(await client.ping()).toBe('PONG');
    await client.del('prefix-test:k');
  });
});

// A Redis of this file's own, killed, frozen and restarted by these tests: the others keep theirs.
describe('RedisAuthStore with Redis down, frozen, then back', () => {
  let services: Services;
  let url: string;
  const pid = () => services.services.redis!.pid;

  beforeAll(async () => {
    services = await startServices({ redis: true, env: {}, log: () => {} });
    url = services.env.REDIS_URL!;
  });
  afterAll(() => services.stop());

  const eventually = (assertion: () => Promise<void>) => vi.waitFor(assertion, { timeout: 15_000, interval: 100 });

  /** The two clients a store meets: a plain ioredis client (no commandTimeout), and the app's. */
  async function stores() {
    const plain = new Redis(url);
    plain.on('error', () => {});
    afterThisTest(async () => plain.disconnect());
    const app = createApp({ logger: false }).use(cache({ redis: url, env: {}, logger: quiet }));
    afterThisTest(() => app.stop());
    await app.ready();
    const stores = [new RedisAuthStore(plain), new RedisAuthStore(app.redis!)];
    for (const store of stores) afterThisTest(() => store.close());
    for (const store of stores) await store.set('k', 'v', 60_000);
    return stores;
  }

  const calls: [string, (store: AuthStore) => Promise<unknown>][] = [
    ['get', (store) => store.get('k')],
    ['set', (store) => store.set('k', 'v', 60_000)],
    ['add', (store) => store.add('k2', 'v', 60_000)],
    ['take', (store) => store.take('k')],
    ['delete', (store) => store.delete('k', 'k2')],
    ['addMember', (store) => store.addMember('s', 'm', 60_000)],
    ['removeMember', (store) => store.removeMember('s', 'm')],
    ['members', (store) => store.members('s')],
  ];

  /** Every call rejects with AuthStoreUnavailableError (503, Retry-After), each within `bound` ms. */
  async function expectUnavailable(store: AuthStore, bound: number) {
    for (const [name, call] of calls) {
      const started = Date.now();
      const error = await call(store).then(
        () => new Error(`${name} resolved`),
        (rejected: unknown) => rejected,
      );
      expect(error, name).toBeInstanceOf(AuthStoreUnavailableError);
      expect(error).toMatchObject({ status: 503, code: 'FW_AUTH_STORE_UNAVAILABLE' });
      expect((error as AuthStoreUnavailableError).headers?.['retry-after']).toMatch(/^\d+$/);
      expect(Date.now() - started, name).toBeLessThan(bound);
    }
  }

  it('killed: every call rejects with AuthStoreUnavailableError at once; restarted: the same store works again', async () => {
    const all = await stores();
    await services.halt('redis', { signal: 'SIGKILL' });
    for (const store of all) await expectUnavailable(store, 1_500);
    await services.resume('redis');
    for (const store of all) {
      await eventually(async () => {
        await store.set('k', 'back', 60_000);
        expect(await store.get('k')).toBe('back');
      });
    }
  });

  it('frozen (SIGSTOP): every call rejects within the timeout, never waits unbounded; thawed: works again', async () => {
    const all = await stores();
    process.kill(pid(), 'SIGSTOP');
    try {
      for (const store of all) await expectUnavailable(store, 2_000);
    } finally {
      process.kill(pid(), 'SIGCONT');
    }
    for (const store of all) {
      await eventually(async () => {
        await store.set('k', 'thawed', 60_000);
        expect(await store.get('k')).toBe('thawed');
      });
    }
  });

  it('a store made before Redis answers waits for the first connection, bounded by timeoutMs', async () => {
    await services.halt('redis', { signal: 'SIGKILL' });
    const client = new Redis(url, { enableOfflineQueue: false });
    client.on('error', () => {});
    afterThisTest(async () => client.disconnect());
    const store = new RedisAuthStore(client, { timeoutMs: 300 });
    afterThisTest(() => store.close());
    const started = Date.now();
    await expect(store.get('k')).rejects.toBeInstanceOf(AuthStoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
    await services.resume('redis');
    await eventually(async () => expect(await store.add('fresh', 'v', 60_000)).toBe(true));
  });
});
