import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { belongsTo, createDatabase, hasMany, hasOne, QueryError } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { comments, DDL, posts, profiles, RELATION_DDL, users } from './schema.ts';

const schema = { users, posts, comments, profiles };
const relations = {
  users: { posts: hasMany(posts, 'userId'), profile: hasOne(profiles, 'userId') },
  posts: { author: belongsTo(users, 'userId'), comments: hasMany(comments, 'postId') },
  comments: { author: belongsTo(users, 'userId'), post: belongsTo(posts, 'postId') },
};

async function open(target: (typeof TARGETS)[number]) {
  return createDatabase({ driver: target, url: await freshUrl(target), schema, relations });
}

describe.each(TARGETS)('relations and eager loading on %s (spec §4.2)', (target) => {
  let db: Awaited<ReturnType<typeof open>>;

  beforeAll(async () => {
    db = await open(target);
    for (const statement of [...DDL, ...RELATION_DDL]) await db.query(statement);
    const [ada, alan, grace] = await db.users.insert([
      { email: 'ada@example.com', name: 'Ada' },
      { email: 'alan@example.com', name: 'Alan' },
      { email: 'grace@example.com', name: 'Grace' },
    ]);
    await db.profiles.insert({ userId: ada!.id, bio: 'first programmer' });
    const made = await db.posts.insert([
      { userId: ada!.id, title: 'Engine', published: true },
      { userId: alan!.id, title: 'Machinery', published: true },
      { userId: grace!.id, title: 'Draft', published: false },
    ]);
    for (let i = 0; i < 30; i++) {
      await db.comments.insert({
        postId: made[i % 2]!.id,
        userId: [ada, alan, grace][i % 3]!.id,
        body: `comment ${i}`,
      });
    }
  });
  afterAll(async () => {
    await db.close();
  });

  it("loads 'author' and 'comments.author' with the rows, typed, in a fixed number of queries", async () => {
    const select = vi.spyOn(db.client.drizzle, 'select');
    const rows = await db.posts.with('author', 'comments.author').where({ published: true }).orderBy('id');
    // One for the posts, one per relation and level: author, comments, comments' authors.
    expect(select).toHaveBeenCalledTimes(4);
    select.mockRestore();
    expect(rows.map((post) => [post.title, post.author?.name, post.comments.length])).toEqual([
      ['Engine', 'Ada', 15],
      ['Machinery', 'Alan', 15],
    ]);
    const first = rows[0]!.comments[0]!;
    expect(first.body).toBe('comment 0');
    expect(first.author?.email).toBe('ada@example.com');
  });

  it('keeps the number of queries flat as rows grow (no N+1)', async () => {
    const select = vi.spyOn(db.client.drizzle, 'select');
    await db.posts.with('comments.author');
    const forAll = select.mock.calls.length;
    select.mockClear();
    await db.posts.with('comments.author').limit(1);
    expect(select.mock.calls.length).toBe(forAll);
    select.mockRestore();
  });

  it('gives hasOne a row or null, and hasMany an empty list when nothing points back', async () => {
    const people = await db.users.with('profile', 'posts').orderBy('id');
    expect(people.map((person) => [person.name, person.profile?.bio ?? null, person.posts.length])).toEqual([
      ['Ada', 'first programmer', 1],
      ['Alan', null, 1],
      ['Grace', null, 1],
    ]);
    const unpublished = await db.posts.with('comments').where({ published: false });
    expect(unpublished[0]?.comments).toEqual([]);
  });

  it('loads relations inside a transaction with the transaction', async () => {
    await db.transaction(async (trx) => {
      const user = await trx.users.insert({ email: 'tx-rel@example.com', name: 'Tx' });
      await trx.posts.insert({ userId: user.id, title: 'uncommitted' });
      const [loaded] = await trx.users.with('posts').where({ id: user.id });
      expect(loaded?.posts.map((post) => post.title)).toEqual(['uncommitted']);
    });
  });

  it('names unknown relations and refuses with() mixed with select/join', async () => {
    await expect(db.posts.with('nope' as never)).rejects.toThrow(
      /posts has no relation "nope"; declared: author, comments/,
    );
    await expect(db.posts.with('author').select('title')).rejects.toThrow(QueryError);
    await expect(
      createDatabase({ driver: 'pglite', schema, relations: { posts: { author: belongsTo(users, 'authorId') } } }),
    ).rejects.toThrow(/posts has no column "authorId"/);
  });
});
