import { describe, expect, it } from 'vitest';
import { MemoryQueryCacheStore } from '../src/cache/memory-query-cache-store.ts';
import type { QueryCacheStore } from '../src/cache/query-cache-store.ts';
import { createDatabase } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

/**
 * A store shared by several processes, as the contract describes it: a version per tag, moved on
 * by every invalidation, and a `set` with versions that writes only if they are unchanged.
 */
class VersionedStore implements QueryCacheStore {
  readonly inner = new MemoryQueryCacheStore();
  readonly versions = new Map<string, number>();
  readonly reads: string[][] = [];
  readonly writes: { tags: readonly string[]; versions: readonly number[] | undefined }[] = [];
  /** Runs once, after the query read the database and before its result is written. */
  between: (() => Promise<void>) | undefined;
  failVersions = false;

  get(key: string): Promise<unknown> {
    return this.inner.get(key);
  }

  async tagVersions(tags: readonly string[]): Promise<readonly number[]> {
    if (this.failVersions) throw new Error('connection lost');
    this.reads.push([...tags]);
    return tags.map((tag) => this.versions.get(tag) ?? 0);
  }

  async set(
    key: string,
    value: unknown,
    options: { ttl: number; tags: readonly string[]; versions?: readonly number[] },
  ): Promise<void> {
    const write = this.between;
    this.between = undefined;
    await write?.();
    this.writes.push({ tags: options.tags, versions: options.versions });
    const { versions } = options;
    if (versions !== undefined && options.tags.some((tag, i) => (this.versions.get(tag) ?? 0) !== versions[i])) return;
    await this.inner.set(key, value, options);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.versions.set(tag, (this.versions.get(tag) ?? 0) + 1);
    await this.inner.invalidateTags(tags);
  }
}

describe.each(TARGETS)('the query cache with a store that has tag versions on %s', (target) => {
  async function open(store: QueryCacheStore, warnings: string[] = []) {
    const db = await createDatabase({
      driver: target,
      url: await freshUrl(target),
      schema: { users, posts },
      slowQuery: false,
      cache: { store, logger: { warn: (_fields, message) => warnings.push(message) } },
    });
    for (const statement of DDL) await db.query(statement);
    await db.users.insert({ email: 'ada@example.com', name: 'Ada' });
    return db;
  }

  it('does not store a result read before another process wrote the table and invalidated it', async () => {
    const store = new VersionedStore();
    const db = await open(store);
    try {
      // Another process (not this db, so nothing here knows): a row inserted, then the tag invalidated.
      store.between = async () => {
        await db.query(`insert into users (email, name) values ('grace@example.com', 'Grace')`);
        await store.invalidateTags(['users']);
      };
      expect((await db.users.orderBy('id').cache('5m')).map((user) => user.name)).toEqual(['Ada']);
      expect(store.inner.size).toBe(0);
      expect((await db.users.orderBy('id').cache('5m')).map((user) => user.name)).toEqual(['Ada', 'Grace']);
      expect(store.inner.size).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('reads the versions of the tables and the explicit tags once per miss, none on a hit', async () => {
    const store = new VersionedStore();
    const db = await open(store);
    try {
      const feed = () => db.users.orderBy('id').cache('5m', { tags: ['feed'] });
      await feed();
      await feed();
      expect(store.reads).toEqual([['users', 'feed']]);
      expect(store.writes).toEqual([{ tags: ['users', 'feed'], versions: [1, 0] }]);
      // A miss again; then another process invalidates the explicit tag while its result is stored.
      await db.invalidate(['feed']);
      store.between = () => store.invalidateTags(['feed']);
      await feed();
      expect(store.inner.size).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('serves the query but stores nothing when the versions cannot be read, and says so', async () => {
    const store = new VersionedStore();
    const warnings: string[] = [];
    const db = await open(store, warnings);
    try {
      store.failVersions = true;
      expect((await db.users.cache('5m')).map((user) => user.name)).toEqual(['Ada']);
      expect(store.writes).toEqual([]);
      expect(warnings).toEqual([
        "The query cache store failed to read tag versions; the result was not cached. Check the cache store's connection.",
      ]);
    } finally {
      await db.close();
    }
  });

  it('passes no versions to a store without them (writes as before)', async () => {
    const inner = new MemoryQueryCacheStore();
    const seen: unknown[] = [];
    const store: QueryCacheStore = {
      get: (key) => inner.get(key),
      set: (key, value, options) => {
        seen.push(options);
        return inner.set(key, value, options);
      },
      invalidateTags: (tags) => inner.invalidateTags(tags),
    };
    const db = await open(store);
    try {
      await db.users.cache('5m');
      expect(seen).toEqual([{ ttl: 300_000, tags: ['users'] }]);
    } finally {
      await db.close();
    }
  });
});
