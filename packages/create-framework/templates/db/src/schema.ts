import { serial, table, timestamp, varchar } from '@framework/db';

/** The notes table; `migrations/001_create_notes.up.sql` creates it. */
export const notes = table('notes', {
  id: serial().primaryKey(),
  title: varchar({ length: 200 }).notNull(),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
// @fw:tables

/** Every table, by the name `ctx.db` and `app.db` give its model: `ctx.db.notes`. */
export const schema = { notes }; // @fw:schema
