// Ours: @framework/db's model API, on the same PostgreSQL.
import { boolean, createDatabase, integer, serial, table, timestamp, varchar } from '@framework/db';
import { JOIN_LIMIT, JOIN_MIN_AGE } from '../schema.mjs';

export const info = { name: 'ours', label: '@framework/db (model API)', packages: ['@framework/db'] };

const userColumns = () => ({
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 255 }).notNull().unique(),
  name: varchar('name', { length: 100 }),
  age: integer('age'),
});
const users = table('users', userColumns());
const bulkUsers = table('bulk_users', userColumns());
const posts = table('posts', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull(),
  title: varchar('title', { length: 200 }).notNull(),
  published: boolean('published').notNull().default(false),
  createdAt: timestamp('created_at').defaultNow(),
});

export async function open(url) {
  const db = await createDatabase({ url, schema: { users, posts, bulkUsers } });
  return {
    findUser: (id) => db.users.find(id),
    joinPosts: () =>
      db.posts
        .select('posts.id', 'posts.title', 'users.name as authorName')
        .join(users, 'posts.userId', 'users.id')
        .where({ 'posts.published': true, 'users.age': { gt: JOIN_MIN_AGE } })
        .orderBy('posts.id', 'asc')
        .limit(JOIN_LIMIT),
    insertUsers: (rows) => db.bulkUsers.insert(rows),
    plainUser: (user) => user,
    plainJoin: (rows) => rows,
    close: () => db.close(),
  };
}
