import { linkableEmail, type OAuthProfile } from '@framework/auth';
import { type Database, type RowOf, sql } from '@framework/db';
import type { schema, users } from './schema.ts';

/** The app's database, typed by its schema. */
export type Db = Database<typeof schema>;

/** A row of `users`. */
export type User = RowOf<typeof users>;

/** What the API shows of a user: never the password hash. */
export interface PublicUser {
  id: number;
  email: string | null;
  name: string;
  roles: string[];
}

/**
 * What the API shows of a user.
 *
 * @example
 * ```ts
 * return publicUser(await db.users.find(1));
 * ```
 */
export function publicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles };
}

/**
 * A new account. The first account of the database becomes `admin` (the rest `user`): the table is
 * locked for the count and the insert, so two sign-ups racing on an empty database cannot both
 * become admin. An email already taken rejects with @framework/db's `UniqueViolationError` (409).
 *
 * @example
 * ```ts
 * const user = await createUser(db, { email: 'ada@example.com', name: 'Ada', passwordHash });
 * ```
 */
export function createUser(
  db: Db,
  account: { email: string | null; name: string; passwordHash: string | null },
  login?: { provider: string; subject: string },
): Promise<User> {
  return db.transaction(async (trx) => {
    // SHARE ROW EXCLUSIVE conflicts with itself: a second sign-up waits here until this one commits.
    await trx.drizzle.execute(sql`lock table users in share row exclusive mode`);
    const first = (await trx.users.count()) === 0;
    const user = await trx.users.insert({ ...account, roles: first ? ['admin', 'user'] : ['user'] });
    if (login !== undefined) await trx.userLogins.insert({ ...login, userId: user.id });
    return user;
  });
}

/**
 * The account with this email (compared lower-cased), or `undefined`.
 *
 * @example
 * ```ts
 * const user = await findUserByEmail(db, 'Ada@Example.com');
 * ```
 */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return (await db.users.where({ email: email.toLowerCase() }).first()) ?? undefined;
}

/**
 * The user of an OpenID login: the one already linked to the provider's subject; else the account
 * with the same email, linked now, but only when the provider verified that email
 * (`linkableEmail`): an unverified address can be anyone's; else a new account (with the verified
 * email, or none).
 *
 * @example
 * ```ts
 * auth({ findOrCreateUser: (profile) => findOrCreateOidcUser(db, profile) });
 * ```
 */
export async function findOrCreateOidcUser(db: Db, profile: OAuthProfile): Promise<User> {
  const login = { provider: profile.provider, subject: profile.subject };
  const linked = await db.userLogins.where(login).first();
  if (linked !== null) {
    const user = await db.users.find(linked.userId);
    if (user !== null) return user;
  }
  const email = linkableEmail(profile)?.toLowerCase();
  const existing = email === undefined ? undefined : await findUserByEmail(db, email);
  if (existing !== undefined) {
    await db.userLogins.insert({ ...login, userId: existing.id });
    return existing;
  }
  const name = (profile.name ?? email ?? `${profile.provider} user`).slice(0, 100);
  return createUser(db, { email: email ?? null, name, passwordHash: null }, login);
}
