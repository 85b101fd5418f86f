import { boolean, integer, primaryKey, serial, table, text, timestamp, varchar } from '@framework/db';

/** The to-do table; `migrations/001_create_todos.up.sql` creates it. */
export const todos = table('todos', {
  id: serial().primaryKey(),
  title: varchar({ length: 200 }).notNull(),
  done: boolean().notNull().default(false),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});

/** The accounts; `migrations/002_create_users.up.sql` creates it. */
export const users = table('users', {
  id: serial().primaryKey(),
  email: varchar({ length: 254 }).unique(),
  name: varchar({ length: 100 }).notNull(),
  passwordHash: text('password_hash'),
  roles: text().array().notNull().default(['user']),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});

/** OpenID accounts linked to users, by provider and subject; created with `users`. */
export const userLogins = table(
  'user_logins',
  {
    provider: varchar({ length: 50 }).notNull(),
    subject: varchar({ length: 255 }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] })],
);

/** Every table of the app, as `database({ schema })` takes them. */
export const schema = { todos, users, userLogins };
