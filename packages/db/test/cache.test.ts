import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryQueryCacheStore } from '../src/cache/memory-query-cache-store.ts';
import type { QueryCacheStore } from '../src/cache/query-cache-store.ts';
import { createDatabase, type Database } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

type Db = Database<{ users: typeof users; posts: typeof posts }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The default store, with a record of what reached it and when. */
class RecordingStore implements QueryCacheStore {
  readonly inner = new MemoryQueryCacheStore();
  readonly log: string[] = [];
  readonly keys: string[] = [];

  get(key: string): Promise<unknown> {
    return this.inner.get(key);
  }

  set(key: string, value: unknown, options: { ttl: number; tags: readonly string[] }): Promise<void> {
    this.keys.push(key);
    return this.inner.set(key, value, options);
  }

  invalidateTags(tags: readonly string[]): Promise<void> {
    this.log.push(`invalidate ${[...tags].sort().join(',')}`);
    return this.inner.invalidateTags(tags);
  }
}

describe.each(TARGETS)('the query cache on %s (spec §4.5.2)', (target) => {
  const store = new RecordingStore();
  /** Statements that reached the database. */
  const ran: string[] = [];
  let db: Db;

  beforeAll(async () => {
    db = await createDatabase({
      driver: target,
      url: await freshUrl(target),
      schema: { users, posts },
      slowQuery: false,
      cache: store,
      observe: (event) => {
        if (!event.cached) ran.push(event.sql);
      },
    });
    for (const statement of DDL) await db.query(statement);
    const [ada] = await db.users.insert([
      { email: 'ada@example.com', name: 'Ada', country: 'GB' },
      { email: 'grace@example.com', name: 'Grace', country: 'US' },
    ]);
    await db.posts.insert({ userId: ada!.id, title: 'Notes', published: true });
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    store.inner.clear();
    store.log.length = 0;
    store.keys.length = 0;
    ran.length = 0;
  });

  const gb = () => db.users.where({ country: 'GB' }).orderBy('id').cache('5m');

  it('serves the second call from the cache, equal to the uncached result (Dates stay Dates)', async () => {
    const uncached = await db.users.where({ country: 'GB' }).orderBy('id');
    ran.length = 0;
    const first = await gb();
    const second = await gb();
    expect(ran).toHaveLength(1);
    expect(first).toEqual(uncached);
    expect(second).toEqual(uncached);
    expect(second[0]?.createdAt).toBeInstanceOf(Date);
    // A change the cache cannot know about (raw SQL) proves the second answer came from the cache.
    await db.query(`update users set name = 'Changed' where email = 'ada@example.com'`);
    expect((await gb())[0]?.name).toBe('Ada');
    await db.query(`update users set name = 'Ada' where email = 'ada@example.com'`);
  });

  it('caches first() apart from the rows, under the given key', async () => {
    const query = db.users.where({ email: 'grace@example.com' }).cache('1m', { key: 'grace' });
    expect(await query.first()).toMatchObject({ name: 'Grace' });
    expect(await query.first()).toMatchObject({ name: 'Grace' });
    expect(await query.get()).toHaveLength(1);
    expect(store.keys).toEqual(['db:grace#first', 'db:grace']);
    expect(ran).toHaveLength(2);
  });

  it('expires entries after their TTL', async () => {
    const query = db.users.where({ country: 'US' }).cache('40ms');
    await query;
    await query;
    expect(ran).toHaveLength(1);
    await sleep(80);
    await query;
    expect(ran).toHaveLength(2);
  });

  it('drops entries of a table on insert, update and delete through the models', async () => {
    expect(await gb()).toHaveLength(1);
    const alan = await db.users.insert({ email: 'alan@example.com', name: 'Alan', country: 'GB' });
    expect((await gb()).map((user) => user.name)).toEqual(['Ada', 'Alan']);
    await db.users.where({ id: alan.id }).update({ name: 'Alan T.' });
    expect((await gb()).map((user) => user.name)).toEqual(['Ada', 'Alan T.']);
    await db.users.where({ id: alan.id }).delete();
    expect((await gb()).map((user) => user.name)).toEqual(['Ada']);
    expect(ran.filter((sql) => sql.startsWith('select'))).toHaveLength(4);
  });

  it('drops a joined query when any table it reads is written, and entries carrying an explicit tag', async () => {
    const feed = () =>
      db.posts
        .select('posts.title', 'users.name as author')
        .join(users, 'posts.userId', 'users.id')
        .cache('5m', { tags: ['feed'] });
    const other = () => db.posts.where({ published: true }).cache('5m', { tags: ['users'] });
    await feed();
    await other();
    await db.users.where({ email: 'ada@example.com' }).update({ name: 'Ada L.' });
    expect(await feed()).toEqual([{ title: 'Notes', author: 'Ada L.' }]);
    await other();
    expect(ran.filter((sql) => sql.startsWith('select'))).toHaveLength(4);
    await db.invalidate(['feed']);
    await feed();
    await other();
    expect(ran.filter((sql) => sql.startsWith('select'))).toHaveLength(5);
    await db.users.where({ email: 'ada@example.com' }).update({ name: 'Ada' });
  });

  it('invalidates by hand with db.invalidate(tags)', async () => {
    await gb();
    await db.invalidate(['posts']);
    await gb();
    expect(ran).toHaveLength(1);
    await db.invalidate(['users']);
    await gb();
    expect(ran).toHaveLength(2);
  });

  it('invalidates after a transaction commits, not while it runs', async () => {
    await gb();
    await db.transaction(async (trx) => {
      await trx.users.insert({ email: 'turing@example.com', name: 'Turing', country: 'GB' });
      await trx.savepoint(async (sp) => {
        await sp.posts.insert({ userId: 1, title: 'Inside' });
      });
      await trx.invalidate(['feed']);
      store.log.push('body done');
    });
    expect(store.log).toEqual(['body done', 'invalidate feed,posts,users']);
    expect((await gb()).map((user) => user.name)).toEqual(['Ada', 'Turing']);
    await db.users.where({ email: 'turing@example.com' }).delete();
    await db.posts.where({ title: 'Inside' }).delete();
  });

  it('keeps entries when a transaction (or a savepoint) rolls back', async () => {
    await gb();
    const failed = db.transaction(async (trx) => {
      await trx.users.insert({ email: 'ghost@example.com', name: 'Ghost', country: 'GB' });
      throw new Error('abort');
    });
    await expect(failed).rejects.toThrow('abort');
    await db.transaction(async (trx) => {
      await trx
        .savepoint(async (sp) => {
          await sp.users.insert({ email: 'ghost2@example.com', name: 'Ghost', country: 'GB' });
          throw new Error('abort savepoint');
        })
        .catch(() => undefined);
    });
    expect(store.log).toEqual([]);
    expect((await gb()).map((user) => user.name)).toEqual(['Ada']);
    expect(ran.filter((sql) => sql.startsWith('select'))).toHaveLength(1);
  });

  it('reads the database inside a transaction and stores nothing there', async () => {
    await db.transaction(async (trx) => {
      await trx.users.insert({ email: 'hopper@example.com', name: 'Hopper', country: 'GB' });
      const inside = await trx.users.where({ country: 'GB' }).orderBy('id').cache('5m');
      expect(inside.map((user) => user.name)).toEqual(['Ada', 'Hopper']);
    });
    expect(store.keys).toEqual([]);
    await db.users.where({ email: 'hopper@example.com' }).delete();
  });
});

describe.each(TARGETS)('an invalidation racing a cached read on %s', (target) => {
  it('does not store a result read before an invalidation of its table', async () => {
    let race: (() => Promise<void>) | undefined;
    const inner = new MemoryQueryCacheStore();
    const store: QueryCacheStore = {
      async get(key) {
        const value = await inner.get(key);
        // A write commits elsewhere while this read goes to the database.
        const write = race;
        race = undefined;
        await write?.();
        return value;
      },
      set: (key, value, options) => inner.set(key, value, options),
      invalidateTags: (tags) => inner.invalidateTags(tags),
    };
    const db = await createDatabase({
      driver: target,
      url: await freshUrl(target),
      schema: { users, posts },
      slowQuery: false,
      cache: store,
    });
    try {
      await db.query(DDL[0]!);
      race = () => db.invalidate(['users']);
      await db.users.cache('5m');
      expect(inner.size).toBe(0);
      await db.users.cache('5m');
      expect(inner.size).toBe(1);
    } finally {
      await db.close();
    }
  });
});

describe.each(TARGETS)('with the cache turned off on %s', (target) => {
  it('runs cached queries every time', async () => {
    let statements = 0;
    const db = await createDatabase({
      driver: target,
      url: await freshUrl(target),
      schema: { users, posts },
      slowQuery: false,
      cache: false,
      observe: () => {
        statements += 1;
      },
    });
    try {
      await db.query(DDL[0]!);
      statements = 0;
      await db.users.cache('5m');
      await db.users.cache('5m');
      expect(statements).toBe(2);
    } finally {
      await db.close();
    }
  });
});

describe('the in-memory store', () => {
  it('evicts the least recently used entry beyond maxEntries and honours TTLs', async () => {
    const store = new MemoryQueryCacheStore({ maxEntries: 2 });
    await store.set('a', 1, { ttl: 60_000, tags: ['t'] });
    await store.set('b', 2, { ttl: 60_000, tags: ['t'] });
    expect(await store.get('a')).toBe(1);
    await store.set('c', 3, { ttl: 60_000, tags: ['u'] });
    expect(store.size).toBe(2);
    expect(await store.get('b')).toBeUndefined();
    await store.invalidateTags(['t']);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('c')).toBe(3);
    await store.set('d', 4, { ttl: 20, tags: [] });
    await sleep(40);
    expect(await store.get('d')).toBeUndefined();
  });
});
