import type { Database } from '@framework/db';
import { toAccount, type Users } from './accounts.ts';
import type { schema } from './schema.ts';

/**
 * Accounts in the `users` table (PostgreSQL at DATABASE_URL, else PGlite). Its unique email turns a
 * second sign-up with the same address into a 409, even when two arrive at once.
 */
export function createUsers(db: Database<typeof schema>): Users {
  return {
    list: async () => (await db.users.orderBy('id')).map(toAccount),
    find: async (id) => (await db.users.find(id)) ?? undefined,
    findByEmail: async (email) => (await db.users.where({ email }).first()) ?? undefined,
    add: async (input) => db.users.insert(input),
  };
}
