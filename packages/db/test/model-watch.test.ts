import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeEvent, createDatabase, type Database } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

describe.each(TARGETS)('db.<table>.watch() on %s (spec §4.6)', (target) => {
  let db: Database<{ users: typeof users; posts: typeof posts }>;
  let author: number;

  beforeAll(async () => {
    db = await createDatabase({ driver: target, url: await freshUrl(target), schema: { users, posts } });
    for (const statement of DDL) await db.query(statement);
    author = (await db.users.insert({ email: 'writer@example.com' })).id;
  });
  afterAll(async () => {
    await db.close();
  });

  it('delivers inserts, updates and deletes with data and old, keyed by property names', async () => {
    const events: ChangeEvent<typeof posts.$inferSelect>[] = [];
    const watcher = db.posts.watch((event) => events.push(event));
    await watcher.ready;
    const post = await db.posts.insert({ userId: author, title: 'Hello' });
    await db.posts.where({ id: post.id }).update({ title: 'Hello again' });
    await db.posts.where({ id: post.id }).delete();
    await expect.poll(() => events.length, { timeout: 5000 }).toBe(3);
    expect(events.map((event) => event.type)).toEqual(['insert', 'update', 'delete']);
    expect(events[0]?.data).toMatchObject({ id: post.id, userId: author, title: 'Hello', published: false });
    expect(events[1]?.data).toMatchObject({ title: 'Hello again' });
    expect(events[1]?.old).toMatchObject({ title: 'Hello' });
    expect(events[2]?.data).toMatchObject({ id: post.id, title: 'Hello again' });
    await watcher.close();
  });

  it("filters by property: watch({ userId }).on('insert', ...)", async () => {
    const other = (await db.users.insert({ email: 'other@example.com' })).id;
    const titles: string[] = [];
    const watcher = db.posts.watch({ userId: author }).on('insert', (post) => titles.push(post.title));
    await watcher.ready;
    await db.posts.insert([
      { userId: other, title: 'not mine' },
      { userId: author, title: 'mine' },
    ]);
    await expect.poll(() => titles, { timeout: 5000 }).toEqual(['mine']);
    await watcher.close();
  });

  it('names unknown filter properties', () => {
    expect(() => db.posts.watch({ author: 1 } as never)).toThrow(/posts has no column "author"/);
  });
});
