import { ConflictError } from '@framework/core';
import { toAccount, type User, type Users } from './accounts.ts';

/**
 * Accounts in memory: gone when the process stops, and not shared between instances. Fine to try
 * the API and in tests; add `@framework/db` (a `users` table) before anyone signs up for real.
 */
export function createUsers(): Users {
  const users = new Map<number, User>();
  let lastId = 0;
  const findByEmail = async (email: string) => [...users.values()].find((user) => user.email === email);
  return {
    list: async () => [...users.values()].map(toAccount),
    find: async (id) => users.get(id),
    findByEmail,
    add: async ({ email, passwordHash }) => {
      if ((await findByEmail(email)) !== undefined) throw new ConflictError(`${email} has an account already.`);
      const user = { id: ++lastId, email, role: 'user', passwordHash };
      users.set(user.id, user);
      return user;
    },
  };
}
