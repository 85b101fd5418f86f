import { boolean, integer, serial, table, text, timestamp, varchar } from '../src/index.ts';

export const users = table('users', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 255 }).notNull().unique(),
  name: varchar('name', { length: 100 }),
  age: integer('age'),
  country: varchar('country', { length: 2 }),
  createdAt: timestamp('created_at').defaultNow(),
});

export const posts = table('posts', {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  title: varchar('title', { length: 200 }).notNull(),
  body: text('body'),
  published: boolean('published').notNull().default(false),
});

export const DDL = [
  `create table users (id serial primary key, email varchar(255) not null unique, name varchar(100), age integer check (age between 0 and 150), country varchar(2), created_at timestamp default now())`,
  `create table posts (id serial primary key, user_id integer not null references users(id), title varchar(200) not null, body text, published boolean not null default false)`,
];

export const comments = table('comments', {
  id: serial('id').primaryKey(),
  postId: integer('post_id')
    .notNull()
    .references(() => posts.id),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id),
  body: text('body').notNull(),
});

export const profiles = table('profiles', {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .unique()
    .references(() => users.id),
  bio: text('bio'),
});

export const RELATION_DDL = [
  `create table comments (id serial primary key, post_id integer not null references posts(id), user_id integer not null references users(id), body text not null)`,
  `create table profiles (id serial primary key, user_id integer not null unique references users(id), bio text)`,
];
