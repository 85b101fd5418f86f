import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  avg,
  ConstraintViolationError,
  count,
  createDatabase,
  type Database,
  ForeignKeyViolationError,
  max,
  QueryError,
  UniqueViolationError,
} from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

type Db = Database<{ users: typeof users; posts: typeof posts }>;

describe.each(TARGETS)('models on %s', (target) => {
  let db: Db;

  beforeAll(async () => {
    db = await createDatabase({ driver: target, url: await freshUrl(target), schema: { users, posts } });
    for (const statement of DDL) await db.query(statement);
    const people = await db.users.insert([
      { email: 'ada@example.com', name: 'Ada', age: 36, country: 'GB' },
      { email: 'alan@example.com', name: 'Alan', age: 41, country: 'GB' },
      { email: 'grace@example.com', name: 'Grace', age: 85, country: 'US' },
      { email: 'linus@example.com', name: 'Linus', age: 17, country: 'FI' },
      { email: 'nobody@example.com', name: null, age: null, country: 'US' },
    ]);
    const [ada, alan, grace] = people;
    await db.posts.insert([
      { userId: ada!.id, title: 'Notes on the engine', published: true },
      { userId: ada!.id, title: 'Draft', published: false },
      { userId: alan!.id, title: 'Computing machinery', published: true },
      { userId: grace!.id, title: 'Compilers', published: true },
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('tells which database it runs on', () => {
    expect(db.kind).toBe(target);
  });

  it('inserts one row and returns it with its defaults; finds it by primary key', async () => {
    const user = await db.users.insert({ email: 'new@example.com', name: 'New' });
    expect(user).toMatchObject({ email: 'new@example.com', name: 'New', age: null });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(await db.users.find(user.id)).toEqual(user);
    expect(await db.users.find(999_999)).toBeNull();
    await db.users.where({ id: user.id }).delete();
  });

  it('selects columns with an equality where and first() (spec §4.1.2)', async () => {
    const user = await db.users.select('id', 'email', 'name').where({ email: 'ada@example.com' }).first();
    expect(user).toEqual({ id: expect.any(Number), email: 'ada@example.com', name: 'Ada' });
    expect(await db.users.where({ email: 'missing@example.com' }).first()).toBeNull();
  });

  it('filters with operators, orders, limits and offsets', async () => {
    const adults = await db.users
      .select('name', 'age')
      .where({ age: { gte: 18 } })
      .orderBy('name', 'asc');
    expect(adults).toEqual([
      { name: 'Ada', age: 36 },
      { name: 'Alan', age: 41 },
      { name: 'Grace', age: 85 },
    ]);
    const page = await db.users
      .select('name')
      .where({ age: { gte: 18 } })
      .orderBy('name', 'asc')
      .limit(1)
      .offset(1);
    expect(page).toEqual([{ name: 'Alan' }]);
  });

  it('supports ne, in, notIn, like, ilike, isNull, null and lt/lte/gt', async () => {
    const names = async (filter: Parameters<Db['users']['where']>[0]) =>
      (await db.users.select('email').where(filter).orderBy('email')).map((row) => row.email);
    expect(await names({ country: { in: ['FI', 'US'] } })).toEqual([
      'grace@example.com',
      'linus@example.com',
      'nobody@example.com',
    ]);
    expect(await names({ country: { notIn: ['GB', 'US'] } })).toEqual(['linus@example.com']);
    expect(await names({ name: { like: 'A%' } })).toEqual(['ada@example.com', 'alan@example.com']);
    expect(await names({ name: { ilike: 'gr%' } })).toEqual(['grace@example.com']);
    expect(await names({ name: null })).toEqual(['nobody@example.com']);
    expect(await names({ age: { isNull: true } })).toEqual(['nobody@example.com']);
    expect(await names({ age: { gt: 17, lt: 41 } })).toEqual(['ada@example.com']);
    expect(await names({ age: { lte: 17 } })).toEqual(['linus@example.com']);
    expect(await names({ country: { ne: 'GB' }, age: { isNull: false } })).toEqual([
      'grace@example.com',
      'linus@example.com',
    ]);
  });

  it('combines filters with and / or, and successive where() calls with AND', async () => {
    const rows = await db.users
      .select('email')
      .where({ or: [{ age: { lt: 18 } }, { age: { gt: 80 } }] })
      .where({ country: { ne: 'FI' } });
    expect(rows).toEqual([{ email: 'grace@example.com' }]);
  });

  it('treats values as parameters, never as SQL', async () => {
    const sneaky = "x' or '1'='1";
    expect(await db.users.where({ email: sneaky }).first()).toBeNull();
    expect(await db.users.where({ name: { like: sneaky } })).toEqual([]);
  });

  it('joins with qualified columns and aliases (spec §4.1.2)', async () => {
    const rows = await db.posts
      .select('posts.title', 'users.name as authorName')
      .join(users, 'posts.userId', 'users.id')
      .where({ 'posts.published': true })
      .orderBy('posts.title');
    expect(rows).toEqual([
      { title: 'Compilers', authorName: 'Grace' },
      { title: 'Computing machinery', authorName: 'Alan' },
      { title: 'Notes on the engine', authorName: 'Ada' },
    ]);
  });

  it('returns rows by table for a join without a select, and left joins keep unmatched rows', async () => {
    const both = await db.posts.join(users, 'posts.userId', 'users.id').where({ 'users.name': 'Alan' });
    expect(both).toEqual([
      {
        posts: expect.objectContaining({ title: 'Computing machinery' }),
        users: expect.objectContaining({ name: 'Alan' }),
      },
    ]);
    const all = await db.users
      .select('users.email', 'posts.title')
      .join(posts, 'users.id', 'posts.userId', 'left')
      .where({ 'users.country': 'US' })
      .orderBy('users.email');
    expect(all).toEqual([
      { email: 'grace@example.com', title: 'Compilers' },
      { email: 'nobody@example.com', title: null },
    ]);
  });

  it('aggregates with groupBy (spec §4.1.2)', async () => {
    const stats = await db.users
      .select({ country: 'country', count: count(), avgAge: avg('age'), oldest: max('age') })
      .groupBy('country')
      .orderBy('country');
    expect(stats).toEqual([
      { country: 'FI', count: 1, avgAge: 17, oldest: 17 },
      { country: 'GB', count: 2, avgAge: 38.5, oldest: 41 },
      { country: 'US', count: 2, avgAge: 85, oldest: 85 },
    ]);
    expect(await db.users.where({ country: 'GB' }).count()).toBe(2);
  });

  it('updates and deletes only what where() matches, and refuses to write without one', async () => {
    const temp = await db.users.insert([
      { email: 't1@example.com', age: 1 },
      { email: 't2@example.com', age: 2 },
    ]);
    const updated = await db.users.where({ email: 't1@example.com' }).update({ age: 10 });
    expect(updated).toEqual([expect.objectContaining({ email: 't1@example.com', age: 10 })]);
    expect((await db.users.find(temp[1]!.id))?.age).toBe(2);
    expect(() => db.users.update({ age: 3 })).toThrow(QueryError);
    expect(() => db.users.delete()).toThrow(/needs a where/);
    const deleted = await db.users.where({ email: { like: 't_@example.com' } }).delete();
    expect(deleted).toHaveLength(2);
  });

  it('bulk-inserts 1 000 rows in one statement, in order', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ email: `bulk${i}@example.com`, age: i % 100 }));
    const inserted = await db.users.insert(rows);
    expect(inserted.map((row) => row.email)).toEqual(rows.map((row) => row.email));
    expect(await db.users.where({ email: { like: 'bulk%' } }).count()).toBe(1000);
    await db.users.where({ email: { like: 'bulk%' } }).delete();
  });

  it('turns constraint failures into typed errors a handler can answer with 409/422', async () => {
    const duplicate = await db.users.insert({ email: 'ada@example.com' }).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(UniqueViolationError);
    expect(duplicate).toMatchObject({ status: 409, code: 'FW_DB_UNIQUE_VIOLATION', columns: ['email'] });
    expect((duplicate as Error).message).not.toContain('ada@example.com');
    const orphan = await db.posts.insert({ userId: 999_999, title: 'x' }).catch((error: unknown) => error);
    expect(orphan).toBeInstanceOf(ForeignKeyViolationError);
    expect(orphan).toMatchObject({ status: 409 });
    const tooOld = await db.users.insert({ email: 'old@example.com', age: 200 }).catch((error: unknown) => error);
    expect(tooOld).toBeInstanceOf(ConstraintViolationError);
    expect(tooOld).toMatchObject({ status: 422 });
  });

  it('names unknown columns and tables before running anything', () => {
    expect(() => db.users.where({ emial: 'x' } as never).toSQL()).toThrow(
      /users has no column "emial"; columns: id, email/,
    );
    expect(() => db.users.select('users.nope' as never).toSQL()).toThrow(QueryError);
    expect(() => db.users.orderBy('posts.title' as never).toSQL()).toThrow(/does not join/);
    expect(() => db.users.limit(-1)).toThrow(/whole number/);
  });

  it('commits a transaction that resolves and rolls back one that throws (spec §4.3)', async () => {
    const created = await db.transaction(async (trx) => {
      const user = await trx.users.insert({ email: 'tx@example.com' });
      await trx.posts.insert({ userId: user.id, title: 'in tx' });
      return user;
    });
    expect(await db.posts.where({ userId: created.id }).count()).toBe(1);
    await expect(
      db.transaction(async (trx) => {
        await trx.users.insert({ email: 'rolled@example.com' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.users.where({ email: 'rolled@example.com' }).first()).toBeNull();
  });

  it('rolls back only a failed savepoint inside a transaction', async () => {
    await db.transaction(async (trx) => {
      await trx.users.insert({ email: 'outer@example.com' });
      await trx
        .savepoint(async (sp) => {
          await sp.users.insert({ email: 'inner@example.com' });
          await sp.users.insert({ email: 'outer@example.com' }); // duplicate: fails the savepoint
        })
        .catch((error: unknown) => expect(error).toBeInstanceOf(UniqueViolationError));
      await trx.users.insert({ email: 'after@example.com' });
    });
    const emails = (
      await db.users
        .select('email')
        .where({ email: { in: ['outer@example.com', 'inner@example.com', 'after@example.com'] } })
        .orderBy('email')
    ).map((r) => r.email);
    expect(emails).toEqual(['after@example.com', 'outer@example.com']);
  });

  it('refuses schema keys that clash with the database API', async () => {
    await expect(createDatabase({ driver: 'pglite', schema: { query: users } })).rejects.toThrow(
      /taken by the database API/,
    );
  });
});
