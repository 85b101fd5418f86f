import { boolean, serial, table, timestamp, varchar } from '@framework/db';

/** The to-do table; `migrations/001_create_todos.up.sql` creates it. */
export const todos = table('todos', {
  id: serial().primaryKey(),
  title: varchar({ length: 200 }).notNull(),
  done: boolean().notNull().default(false),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
