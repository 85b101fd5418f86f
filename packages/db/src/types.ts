import type { PgTable } from 'drizzle-orm/pg-core';

// The table and executor types every query module shares. This module imports nothing from the
// package, so model.ts and the modules it calls into (bulk-insert.ts, relations.ts) can all depend
// on it without depending on each other.

/**
 * Any drizzle PostgreSQL table.
 *
 * @example
 * ```ts
 * const tables: Record<string, AnyTable> = { users, posts };
 * ```
 */
export type AnyTable = PgTable;

/**
 * What a select returns for a table.
 *
 * @example
 * ```ts
 * const user: RowOf<typeof users> = await db.users.find(1);
 * ```
 */
export type RowOf<T extends AnyTable> = T['$inferSelect'];

/**
 * What an insert takes for a table.
 *
 * @example
 * ```ts
 * const draft: NewRowOf<typeof users> = { email: 'ada@example.com' };
 * await db.users.insert(draft);
 * ```
 */
export type NewRowOf<T extends AnyTable> = T['$inferInsert'];

/**
 * What runs a query: the primary, a replica, or a transaction.
 *
 * @example
 * ```ts
 * const executor: Executor = { drizzle: tx };
 * ```
 */
export interface Executor {
  // biome-ignore lint/suspicious/noExplicitAny: drizzle's dynamic query builders are driver-generic; the model types its results itself.
  readonly drizzle: any;
}
