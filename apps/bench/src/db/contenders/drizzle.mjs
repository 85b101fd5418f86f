// Plain drizzle-orm on postgres.js, written as drizzle's documentation writes it.
import { and, eq, gt } from 'drizzle-orm';
import { boolean, integer, pgTable, serial, timestamp, varchar } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { JOIN_LIMIT, JOIN_MIN_AGE } from '../schema.mjs';

export const info = {
  name: 'drizzle',
  label: 'drizzle-orm (drizzle-orm/postgres-js)',
  packages: ['drizzle-orm', 'postgres'],
};

const userColumns = {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 255 }).notNull().unique(),
  name: varchar('name', { length: 100 }),
  age: integer('age'),
};
const users = pgTable('users', userColumns);
const bulkUsers = pgTable('bulk_users', userColumns);
const posts = pgTable('posts', {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  title: varchar('title', { length: 200 }).notNull(),
  published: boolean('published').notNull().default(false),
  createdAt: timestamp('created_at').defaultNow(),
});

export async function open(url) {
  const client = postgres(url, { onnotice: () => {} });
  const db = drizzle(client);
  return {
    findUser: async (id) => {
      const [user] = await db.select().from(users).where(eq(users.id, id));
      return user ?? null;
    },
    joinPosts: () =>
      db
        .select({ id: posts.id, title: posts.title, authorName: users.name })
        .from(posts)
        .innerJoin(users, eq(posts.userId, users.id))
        .where(and(eq(posts.published, true), gt(users.age, JOIN_MIN_AGE)))
        .orderBy(posts.id)
        .limit(JOIN_LIMIT),
    insertUsers: (rows) => db.insert(bulkUsers).values(rows),
    plainUser: (user) => user,
    plainJoin: (rows) => rows,
    close: () => client.end({ timeout: 5 }),
  };
}
