import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { makeCache, rawRedis, sleep } from './helpers.ts';

/** How often the server ran a command, from INFO commandstats. */
async function commandCalls(command: string): Promise<number> {
  const info = await rawRedis().info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describe('the Redis store', () => {
  it('keeps keys under the prefix and deletes by pattern with SCAN and UNLINK, never KEYS', async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache('redis', {}, prefix);
    const redis = rawRedis();
    const pipeline = redis.pipeline();
    for (let i = 0; i < 5_000; i++) pipeline.set(`${prefix}users:${i}`, String(i));
    await pipeline.exec();
    await redis.set(`${prefix}posts:1`, '1');
    await redis.set(`other-app:users:1`, 'not ours');
    const keysBefore = await commandCalls('keys');
    const scansBefore = await commandCalls('scan');
    expect(await cache.deletePattern('users:*')).toBe(5_000);
    expect(await commandCalls('keys')).toBe(keysBefore);
    expect(await commandCalls('scan')).toBeGreaterThan(scansBefore);
    expect(await redis.exists(`${prefix}users:4999`)).toBe(0);
    expect(await redis.get(`${prefix}posts:1`)).toBe('1');
    expect(await redis.get('other-app:users:1')).toBe('not ours');
    await redis.del('other-app:users:1');
  });

  it('expires tag sets with their entries, so tags do not leak keys forever', async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache('redis', {}, prefix);
    const redis = rawRedis();
    await cache.set('a', 1, { ttl: 5, tags: ['posts'] });
    await cache.set('b', 2, { ttl: 60, tags: ['posts'] });
    const left = await redis.pttl(`${prefix}#tag:posts`);
    expect(left).toBeGreaterThan(55_000);
    expect(left).toBeLessThanOrEqual(60_000);
    await cache.set('c', 3, { ttl: 0, tags: ['posts'] });
    expect(await redis.pttl(`${prefix}#tag:posts`)).toBe(-1);
  });

  it('wrap runs the loader once across processes (two connections, a short lock)', async () => {
    const prefix = `p:${randomUUID()}:`;
    const first = await makeCache('redis', {}, prefix);
    const second = await makeCache('redis', {}, prefix);
    let calls = 0;
    const load = async () => {
      calls++;
      await sleep(100);
      return { computed: true };
    };
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => first.wrap('report', load)),
      ...Array.from({ length: 20 }, () => second.wrap('report', load)),
    ]);
    expect(calls).toBe(1);
    expect(results.every((result) => result.computed)).toBe(true);
    expect(await rawRedis().exists(`${prefix}#lock:report`)).toBe(0);
  });

  it('a stale entry is refreshed by one process, not by every process that reads it', async () => {
    const prefix = `p:${randomUUID()}:`;
    const first = await makeCache('redis', {}, prefix);
    const second = await makeCache('redis', {}, prefix);
    let loads = 0;
    const load = async () => {
      loads++;
      await sleep(100);
      return `v${loads}`;
    };
    const options = { ttl: 0.05, staleWhileRevalidate: 10 };
    expect(await first.wrap('board', load, options)).toBe('v1');
    await sleep(80);
    expect(await Promise.all([first.wrap('board', load, options), second.wrap('board', load, options)])).toEqual([
      'v1',
      'v1',
    ]);
    await vi.waitFor(async () => expect(await first.get('board')).toBe('v2'));
    expect(loads).toBe(2);
  });

  it('a waiter whose lock holder died computes the value itself after lockTimeout', async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache('redis', { lockTimeout: 0.3 }, prefix);
    // A lock left by a process that crashed while computing.
    await rawRedis().set(`${prefix}#lock:report`, 'dead-process', 'PX', 300);
    const started = Date.now();
    expect(await cache.wrap('report', async () => 'mine')).toBe('mine');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a waiter whose holder released the lock, with the value already invalidated, loads it at once', async () => {
    // Under writes, the holder's value can be invalidated (by a write in another process) before a
    // waiter reads it: the lock is gone and there is no value. The waiter must load it then, not wait
    // for lockTimeout (a minute here: the test would time out).
    const prefix = `p:${randomUUID()}:`;
    const waiter = await makeCache('redis', { lockTimeout: 60 }, prefix);
    const redis = rawRedis();
    await redis.set(`${prefix}#lock:list`, 'another-process', 'PX', 60_000);
    let loads = 0;
    const waiting = waiter.wrap('list', async () => {
      loads++;
      return 'loaded by the waiter';
    });
    await sleep(50);
    expect(loads).toBe(0); // it waits while the lock is held
    await redis.del(`${prefix}#lock:list`); // released; its value already deleted
    expect(await waiting).toBe('loaded by the waiter');
    expect(loads).toBe(1);
  }, 20_000);

  it.each(['redis', 'tiered'] as const)(
    'on %s, a tagged wrap does not store what it read before another instance changed the data and invalidated its tag',
    async (kind) => {
      const prefix = `p:${randomUUID()}:`;
      const reader = await makeCache(kind, {}, prefix);
      const writer = await makeCache(kind, {}, prefix);
      const table = ['note 1'];
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let queries = 0;
      const listNotes = async () => {
        queries++;
        const rows = [...table];
        if (queries === 1) await gate;
        return rows;
      };
      const options = { tags: ['notes'] };
      const first = reader.wrap('notes', listNotes, options);
      await vi.waitFor(() => expect(queries).toBe(1));
      // The other instance inserts a row and invalidates while the first query is still running.
      table.push('note 2');
      await writer.invalidateTags(['notes']);
      release();
      expect(await first).toEqual(['note 1']);
      expect(await writer.get('notes')).toBeUndefined();
      expect(await reader.get('notes')).toBeUndefined();
      expect(await writer.wrap('notes', listNotes, options)).toEqual(['note 1', 'note 2']);
      expect(queries).toBe(2);
      expect(await reader.wrap('notes', listNotes, options)).toEqual(['note 1', 'note 2']);
      expect(queries).toBe(2);
    },
  );

  it("keeps a tag's version beside its tag set, for an hour after its last invalidation", async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache('redis', {}, prefix);
    const redis = rawRedis();
    await cache.invalidateTags(['notes']);
    await cache.invalidateTags(['notes']);
    expect(await redis.get(`${prefix}#tag:notes#version`)).toBe('2');
    const left = await redis.pttl(`${prefix}#tag:notes#version`);
    expect(left).toBeGreaterThan(3_500_000);
    expect(left).toBeLessThanOrEqual(3_600_000);
  });

  it('msgpack and compression: smaller bytes in Redis, same value back', async () => {
    const prefix = `p:${randomUUID()}:`;
    const plain = await makeCache('redis', {}, prefix);
    const packed = await makeCache('redis', { serializer: 'msgpack', compress: true }, `${prefix}z:`);
    const rows = Array.from({ length: 500 }, (_, id) => ({ id, email: `user${id}@example.com`, active: id % 2 === 0 }));
    await plain.set('rows', rows);
    await packed.set('rows', rows);
    const redis = rawRedis();
    const plainBytes = await redis.strlen(`${prefix}rows`);
    const packedBytes = await redis.strlen(`${prefix}z:rows`);
    expect(packedBytes).toBeLessThan(plainBytes / 4);
    expect(await packed.get('rows')).toEqual(rows);
  });

  it('increment works on a key set to an integer, and get reads a counter INCRBY made', async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache('redis', {}, prefix);
    await cache.set('tickets', 10);
    expect(await cache.decrement('tickets')).toBe(9);
    await rawRedis().incrby(`${prefix}tickets`, 5);
    expect(await cache.get('tickets')).toBe(14);
  });
});

describe('two tiers: memory in front of Redis', () => {
  it('serves reads from memory once filled', async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache('tiered', {}, prefix);
    await cache.set('config', { theme: 'dark' });
    // Changed behind the cache's back: the memory tier still answers.
    await rawRedis().set(`${prefix}config`, 'changed elsewhere');
    expect(await cache.get('config')).toEqual({ theme: 'dark' });
  });

  it("a write on one instance evicts the other instances' memory tier", async () => {
    const prefix = `p:${randomUUID()}:`;
    const a = await makeCache('tiered', {}, prefix);
    const b = await makeCache('tiered', {}, prefix);
    await a.set('user:1', { name: 'Ada' });
    expect(await b.get('user:1')).toEqual({ name: 'Ada' });
    await a.set('user:1', { name: 'Grace' });
    await vi.waitFor(async () => expect(await b.get('user:1')).toEqual({ name: 'Grace' }));

    await b.get('user:1');
    await a.delete('user:1');
    await vi.waitFor(async () => expect(await b.get('user:1')).toBeUndefined());

    await a.set('n', 1);
    expect(await b.get('n')).toBe(1);
    await a.increment('n');
    await vi.waitFor(async () => expect(await b.get('n')).toBe(2));
  });

  it('tag invalidation and deletePattern on one instance evict everywhere', async () => {
    const prefix = `p:${randomUUID()}:`;
    const a = await makeCache('tiered', {}, prefix);
    const b = await makeCache('tiered', {}, prefix);
    await a.set('post:1', 'one', { tags: ['posts'] });
    await a.set('users:1', 'ada');
    // b fills its memory tier from Redis (without the tags).
    expect(await b.get('post:1')).toBe('one');
    expect(await b.get('users:1')).toBe('ada');
    await a.invalidateTags(['posts']);
    await vi.waitFor(async () => expect(await b.get('post:1')).toBeUndefined());
    await a.deletePattern('users:*');
    await vi.waitFor(async () => expect(await b.get('users:1')).toBeUndefined());
  });

  it('the memory tier keeps an entry no longer than its tier ttl', async () => {
    const prefix = `p:${randomUUID()}:`;
    const cache = await makeCache(
      'tiered',
      {
        tiers: [
          { store: 'memory', ttl: 0.1 },
          { store: 'redis', ttl: 60 },
        ],
      },
      prefix,
    );
    await cache.set('k', 'v1');
    // The Redis tier caps the default ttl (1 h) at its own 60 s.
    const left = await rawRedis().pttl(`${prefix}k`);
    expect(left).toBeGreaterThan(55_000);
    expect(left).toBeLessThanOrEqual(60_000);
    await rawRedis().set(`${prefix}k`, '7');
    expect(await cache.get('k')).toBe('v1');
    await sleep(150);
    expect(await cache.get('k')).toBe(7);
  });
});
