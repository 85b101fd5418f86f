import { type AuthStrategies, auth, type OAuthOptions, type OAuthProfile } from '@framework/auth';
import { type Env, secretFromEnv } from './secrets.ts';
import { type Db, findOrCreateOidcUser, type User } from './users.ts';

/** Who may do what: an admin everything, a user reads anything and writes to-dos. */
export const roles = auth.defineRoles({ admin: ['*'], user: ['read:*', 'write:todos'] });

/**
 * The example's `auth()` options: password logins into a session (cookie) or JWTs with rotating refresh
 * tokens, API keys, and OpenID logins when `OIDC_ISSUER` is set (with `OIDC_CLIENT_ID` and
 * `OIDC_CLIENT_SECRET`; the provider sends the browser back to `/auth/oidc/callback`). Sessions,
 * refresh tokens and keys live in Redis when the app has one, in this process otherwise.
 * `notices` are the development defaults it fell back to, for the app to log.
 *
 * @example
 * ```ts
 * const { options, notices } = authOptions(app.db, process.env, app.redis !== undefined);
 * app.use(auth(options));
 * ```
 */
export function authOptions(db: Db, env: Env, redis: boolean) {
  const jwtSecret = secretFromEnv('JWT_SECRET', env);
  const sessionSecret = secretFromEnv('SESSION_SECRET', env);
  const notices = [jwtSecret, sessionSecret].flatMap((secret) => (secret.development ? [secret.notice] : []));
  const issuer = env.OIDC_ISSUER;
  const oauth: OAuthOptions | undefined =
    issuer === undefined || issuer === ''
      ? undefined
      : { oidc: { issuer, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET } };
  const strategies = {
    jwt: { secret: jwtSecret.value, expiresIn: '15m', refresh: { enabled: true, expiresIn: '7d' } },
    // A comma-separated SESSION_SECRET rotates keys: the first signs, every one verifies.
    session: { secret: sessionSecret.value.split(',').map((key) => key.trim()), maxAge: '2h', absoluteMaxAge: '7d' },
    apiKey: { prefix: 'todo' },
    ...(oauth === undefined ? {} : { oauth }),
  } satisfies AuthStrategies;
  const options = {
    strategies,
    roles,
    store: redis ? ('redis' as const) : ('memory' as const),
    findUser: async (id: string): Promise<User | undefined> => {
      const number = Number(id);
      return Number.isSafeInteger(number) ? ((await db.users.find(number)) ?? undefined) : undefined;
    },
    serialize: (user: User) => ({ id: String(user.id), roles: user.roles, name: user.name }),
    findOrCreateUser: (profile: OAuthProfile) => findOrCreateOidcUser(db, profile),
  };
  return { options, notices };
}
