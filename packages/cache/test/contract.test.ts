import { describe, expect, it, vi } from 'vitest';
import { CacheError } from '../src/index.ts';
import { makeCache, STORES, sleep } from './helpers.ts';

describe.each(STORES)('the cache on the %s store (spec §5.3)', (kind) => {
  it('gets what was set, misses what was not, and deletes', async () => {
    const cache = await makeCache(kind);
    expect(await cache.get('user:123')).toBeUndefined();
    await cache.set('user:123', { name: 'Ada', roles: ['admin'], active: true, score: 1.5, manager: null });
    expect(await cache.get('user:123')).toEqual({
      name: 'Ada',
      roles: ['admin'],
      active: true,
      score: 1.5,
      manager: null,
    });
    expect(await cache.has('user:123')).toBe(true);
    expect(await cache.delete('user:123')).toBe(true);
    expect(await cache.delete('user:123')).toBe(false);
    expect(await cache.get('user:123')).toBeUndefined();
    expect(await cache.has('user:123')).toBe(false);
  });

  it('deletes several keys at once and says how many existed', async () => {
    const cache = await makeCache(kind);
    await cache.set('a', 1);
    await cache.set('b', 'two');
    expect(await cache.delete(['a', 'b', 'c'])).toBe(2);
    expect(await cache.get('b')).toBeUndefined();
  });

  it('round-trips strings, numbers, booleans, null, arrays, Dates, BigInts and bytes', async () => {
    const cache = await makeCache(kind);
    const value = {
      text: 'héllo ✓',
      int: 42,
      negative: -7,
      float: 0.1,
      yes: false,
      nothing: null,
      list: [1, 'two', { three: 3 }],
      at: new Date('2026-11-26T12:00:00.000Z'),
      big: 2n ** 70n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      $fw: 'a user key that looks like our tag',
    };
    await cache.set('value', value);
    const back = await cache.get<typeof value>('value');
    expect(back).toEqual(value);
    expect(back?.at).toBeInstanceOf(Date);
    expect(typeof back?.big).toBe('bigint');
    await cache.set('count', 7);
    expect(await cache.get('count')).toBe(7);
    await cache.set('word', 'plain');
    expect(await cache.get('word')).toBe('plain');
  });

  it('refuses undefined and functions with a message that says what to do', async () => {
    const cache = await makeCache(kind);
    if (kind === 'memory') {
      // The memory store keeps values as they are: nothing to serialize.
      await cache.set('fn', { run: () => 1 });
      return;
    }
    await expect(cache.set('u', undefined)).rejects.toThrow(/store null instead/);
    await expect(cache.set('fn', { run: () => 1 })).rejects.toThrow(CacheError);
    await expect(cache.set('map', new Map())).rejects.toThrow(/serializer: 'msgpack'/);
  });

  it('expires entries after their ttl (seconds), and the default ttl applies', async () => {
    const cache = await makeCache(kind, { ttl: 0.3 });
    await cache.set('short', 'x', { ttl: 0.15 });
    await cache.set('default', 'y');
    await cache.set('forever', 'z', { ttl: 0 });
    expect(await cache.get('short')).toBe('x');
    await sleep(220);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('default')).toBe('y');
    await sleep(200);
    expect(await cache.get('default')).toBeUndefined();
    expect(await cache.get('forever')).toBe('z');
  });

  it('invalidates every entry carrying a tag and leaves the others', async () => {
    const cache = await makeCache(kind);
    await cache.set('post:1', { id: 1 }, { tags: ['posts', 'user:123'] });
    await cache.set('post:2', { id: 2 }, { tags: ['posts'] });
    await cache.set('profile:123', { id: 123 }, { tags: ['user:123'] });
    await cache.set('untagged', true);
    await cache.invalidateTags(['posts']);
    expect(await cache.get('post:1')).toBeUndefined();
    expect(await cache.get('post:2')).toBeUndefined();
    expect(await cache.get('profile:123')).toEqual({ id: 123 });
    await cache.invalidateTags(['user:123', 'never-used']);
    expect(await cache.get('profile:123')).toBeUndefined();
    expect(await cache.get('untagged')).toBe(true);
  });

  it('deletes by glob pattern and counts what it deleted', async () => {
    const cache = await makeCache(kind);
    for (let i = 0; i < 30; i++) await cache.set(`users:${i}`, i);
    await cache.set('users-count', 30);
    await cache.set('posts:1', 'p');
    await cache.set('a1', 1);
    await cache.set('b1', 1);
    expect(await cache.deletePattern('users:*')).toBe(30);
    expect(await cache.get('users:7')).toBeUndefined();
    expect(await cache.get('users-count')).toBe(30);
    expect(await cache.get('posts:1')).toBe('p');
    expect(await cache.deletePattern('[ab]?')).toBe(2);
    expect(await cache.deletePattern('nothing:*')).toBe(0);
  });

  it('increments and decrements atomically, counting from 0', async () => {
    const cache = await makeCache(kind);
    const results = await Promise.all(Array.from({ length: 200 }, () => cache.increment('page-views')));
    expect(new Set(results).size).toBe(200);
    expect(await cache.get('page-views')).toBe(200);
    expect(await cache.increment('page-views', 5)).toBe(205);
    await cache.set('available-tickets', 10);
    expect(await cache.decrement('available-tickets')).toBe(9);
    expect(await cache.decrement('available-tickets', 4)).toBe(5);
    await cache.set('name', 'Ada');
    await expect(cache.increment('name')).rejects.toThrow(/not an integer/);
    await expect(cache.increment('page-views', 1.5)).rejects.toThrow(/integer step/);
  });

  it('gives a counter created by increment its ttl', async () => {
    const cache = await makeCache(kind);
    expect(await cache.increment('per-window', 1, { ttl: 0.15 })).toBe(1);
    expect(await cache.increment('per-window', 1, { ttl: 0.15 })).toBe(2);
    await sleep(220);
    expect(await cache.increment('per-window', 1, { ttl: 0.15 })).toBe(1);
  });

  it('wrap runs the loader on a miss only, and caches its result for ttl', async () => {
    const cache = await makeCache(kind);
    let calls = 0;
    const load = async () => ({ id: 1, call: ++calls });
    expect(await cache.wrap('user:1', load, { ttl: 0.2 })).toEqual({ id: 1, call: 1 });
    expect(await cache.wrap('user:1', load, { ttl: 0.2 })).toEqual({ id: 1, call: 1 });
    await sleep(260);
    expect(await cache.wrap('user:1', load, { ttl: 0.2 })).toEqual({ id: 1, call: 2 });
    expect(calls).toBe(2);
  });

  it('wrap: 1 000 concurrent misses for one key run the loader once (CA-02)', async () => {
    const cache = await makeCache(kind);
    let queries = 0;
    const load = async () => {
      queries++;
      await sleep(30);
      return { rows: [1, 2, 3] };
    };
    const results = await Promise.all(Array.from({ length: 1_000 }, () => cache.wrap('hot', load)));
    expect(queries).toBe(1);
    expect(results.every((result) => result.rows.length === 3)).toBe(true);
    expect(cache.stats().coalesced).toBeGreaterThanOrEqual(999);
  });

  it('wrap does not cache an error: every waiting caller gets it, and the next call retries', async () => {
    const cache = await makeCache(kind);
    let calls = 0;
    const failing = async () => {
      calls++;
      await sleep(10);
      throw new Error('database timeout');
    };
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => cache.wrap('flaky', failing)));
    expect(settled.every((result) => result.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    expect(await cache.wrap('flaky', async () => 'recovered')).toBe('recovered');
    expect(await cache.has('flaky')).toBe(true);
  });

  it('wrap does not store undefined (a loader that found nothing is asked again)', async () => {
    const cache = await makeCache(kind);
    let calls = 0;
    const none = async (): Promise<string | undefined> => {
      calls++;
      return undefined;
    };
    expect(await cache.wrap('absent', none)).toBeUndefined();
    expect(await cache.wrap('absent', none)).toBeUndefined();
    expect(calls).toBe(2);
  });

  it('wrap does not store a value whose tags were invalidated while it was computed', async () => {
    const cache = await makeCache(kind);
    const table = ['note 1'];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let queries = 0;
    const listNotes = async () => {
      queries++;
      const rows = [...table];
      // The first query has read its rows and is still running when the write below happens.
      if (queries === 1) await gate;
      return rows;
    };
    const options = { tags: ['notes'] };
    const first = cache.wrap('notes', listNotes, options);
    await vi.waitFor(() => expect(queries).toBe(1));
    table.push('note 2');
    await cache.invalidateTags(['notes']);
    release();
    // Its caller gets what it computed; the cache does not keep it.
    expect(await first).toEqual(['note 1']);
    expect(await cache.get('notes')).toBeUndefined();
    expect(await cache.wrap('notes', listNotes, options)).toEqual(['note 1', 'note 2']);
    expect(queries).toBe(2);
    // Computed with no invalidation meanwhile: stored as usual.
    expect(await cache.wrap('notes', listNotes, options)).toEqual(['note 1', 'note 2']);
    expect(queries).toBe(2);
  });

  it("a store's conditional set writes only while every tag's version is the one read", async () => {
    const cache = await makeCache(kind);
    const { store, prefix } = cache;
    const tags = [`${prefix}#tag:a`, `${prefix}#tag:b`];
    const forever = { ttl: 0, tags, freshUntil: Number.POSITIVE_INFINITY };
    const read = await store.tagVersions?.(tags);
    expect(read).toHaveLength(2);
    expect(await store.set(`${prefix}k`, 'current', { ...forever, versions: read })).not.toBe(false);
    expect((await store.get(`${prefix}k`))?.value).toBe('current');
    // Another tag's invalidation changes nothing for these.
    await store.invalidateTags([`${prefix}#tag:other`]);
    expect(await store.tagVersions?.(tags)).toEqual(read);
    await store.invalidateTags([tags[1] ?? '']);
    expect(await store.tagVersions?.(tags)).not.toEqual(read);
    expect(await store.set(`${prefix}k`, 'stale', { ...forever, versions: read })).toBe(false);
    expect(await store.get(`${prefix}k`)).toBeUndefined();
    // An explicit write (no versions) is unconditional.
    await store.set(`${prefix}k`, 'explicit', forever);
    expect((await store.get(`${prefix}k`))?.value).toBe('explicit');
  });

  it('stale-while-revalidate: a stale value is returned at once while one refresh runs', async () => {
    const cache = await makeCache(kind);
    let version = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const load = async () => {
      version++;
      // The refresh (second load) waits until the test lets it finish.
      if (version > 1) await gate;
      return `v${version}`;
    };
    const options = { ttl: 0.1, staleWhileRevalidate: 5 };
    expect(await cache.wrap('report', load, options)).toBe('v1');
    await sleep(150);
    // Resolved while the refresh is still blocked: the stale value did not wait for the loader.
    expect(await Promise.all([1, 2, 3].map(() => cache.wrap('report', load, options)))).toEqual(['v1', 'v1', 'v1']);
    // One refresh started for the three stale reads.
    await vi.waitFor(() => expect(version).toBe(2));
    release();
    await sleep(50);
    expect(await cache.wrap('report', load, options)).toBe('v2');
    expect(version).toBe(2);
  });

  it('memoize caches by arguments', async () => {
    const cache = await makeCache(kind);
    const seen: string[] = [];
    const expensive = cache.memoize(
      async (name: string, times: number) => {
        seen.push(`${name}x${times}`);
        return name.repeat(times);
      },
      { ttl: 60 },
    );
    expect(await expensive('ab', 2)).toBe('abab');
    expect(await expensive('ab', 2)).toBe('abab');
    expect(await expensive('ab', 3)).toBe('ababab');
    expect(seen).toEqual(['abx2', 'abx3']);
    const byKey = cache.memoize(async (id: number) => ({ id }), { key: (id) => `user:${id}` });
    await byKey(9);
    expect(await cache.get('user:9')).toEqual({ id: 9 });
  });

  it('clear() empties this cache only', async () => {
    const cache = await makeCache(kind);
    const other = await makeCache(kind);
    await cache.set('a', 1, { tags: ['t'] });
    await other.set('a', 2);
    await cache.clear();
    expect(await cache.get('a')).toBeUndefined();
    expect(await other.get('a')).toBe(2);
  });

  it('counts hits, misses and writes', async () => {
    const cache = await makeCache(kind);
    await cache.get('x');
    await cache.set('x', 1);
    await cache.get('x');
    await cache.get('x');
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, writes: 1, errors: 0 });
    expect(cache.stats().store).toBe(kind);
  });
});
