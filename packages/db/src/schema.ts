/**
 * Table and column builders: drizzle-orm's own, so a table defined here is a drizzle table
 * (`typeof users.$inferSelect`, `$inferInsert`, plain drizzle queries) and drizzle-kit reads it.
 *
 * @example
 * ```ts
 * import { table, serial, varchar, integer, timestamp } from '@framework/db';
 *
 * export const users = table('users', {
 *   id: serial('id').primaryKey(),
 *   email: varchar('email', { length: 255 }).notNull().unique(),
 *   name: varchar('name', { length: 100 }),
 *   age: integer('age'),
 *   createdAt: timestamp('created_at').defaultNow(),
 * });
 * type User = typeof users.$inferSelect;
 * ```
 */
export {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  numeric,
  pgTable as table,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
