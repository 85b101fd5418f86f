import { describe, expectTypeOf, it } from 'vitest';
import { belongsTo, createDatabase, hasMany } from '../src/index.ts';
import { comments, posts, users } from './schema.ts';

const db = await createDatabase({
  driver: 'pglite',
  schema: { users, posts, comments },
  relations: {
    posts: { author: belongsTo(users, 'userId'), comments: hasMany(comments, 'postId') },
    comments: { author: belongsTo(users, 'userId') },
  },
});

describe('typed eager loading', () => {
  it('types nested relations', async () => {
    const rows = await db.posts.with('author', 'comments.author');
    expectTypeOf(rows[0]!.title).toEqualTypeOf<string>();
    expectTypeOf(rows[0]!.author).toEqualTypeOf<typeof users.$inferSelect | null>();
    expectTypeOf(rows[0]!.comments[0]!.body).toEqualTypeOf<string>();
    expectTypeOf(rows[0]!.comments[0]!.author).toEqualTypeOf<typeof users.$inferSelect | null>();
  });

  it('refuses relations that are not declared', () => {
    // @ts-expect-error posts declares no relation "tags"
    db.posts.with('tags');
    // @ts-expect-error users declares no relations at all
    db.users.with('posts');
    // @ts-expect-error a comment's author has no relation "profile"
    db.posts.with('comments.author.profile');
  });

  it('types selects, joins and aggregates', async () => {
    const picked = await db.users.select('id', 'email').where({ age: { gte: 18 } });
    expectTypeOf(picked).toEqualTypeOf<{ id: number; email: string }[]>();
    const joined = await db.posts
      .select('posts.title', 'users.name as authorName')
      .join(users, 'posts.userId', 'users.id');
    expectTypeOf(joined).toEqualTypeOf<{ title: string; authorName: string | null }[]>();
    // @ts-expect-error no column "emial" on users
    db.users.where({ emial: 'x' });
    // @ts-expect-error age is a number
    db.users.where({ age: { gte: 'eighteen' } });
  });
});
