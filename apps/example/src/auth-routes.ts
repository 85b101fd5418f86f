import { ConflictError, ForbiddenError, isFrameworkError, NotFoundError, UnauthorizedError } from '@framework/core';
import { DB_ERROR_CODES } from '@framework/db';
import { z } from 'zod';
import type { ExampleApp } from './app.ts';
import { roles } from './auth.ts';
import { createUser, findUserByEmail, publicUser } from './users.ts';

const Email = z.email().max(254);
// At least 8 characters (ASVS 6.2.1), and long passphrases welcome: argon2id takes up to 1 024.
const Password = z.string().min(8).max(1024);
const SignUp = z.object({ email: Email, password: Password, name: z.string().trim().min(1).max(100) });
const Login = z.object({
  email: z.string().max(254),
  password: z.string().max(1024),
  strategy: z.enum(['session', 'jwt']).default('session'),
});
const Logout = z.object({ refreshToken: z.string().max(512).optional() });
// '*', 'action:*' or 'action:resource', as auth's permissions are written.
const Grant = z.string().regex(/^(\*|[a-z0-9_-]{1,32}:(\*|[a-z0-9_-]{1,32}))$/, "a permission such as 'read:todos'");
const NewApiKey = z.object({
  name: z.string().trim().min(1).max(200),
  permissions: z.array(Grant).min(1).max(20),
  expiresIn: z.enum(['1d', '7d', '30d', '90d', '365d']).optional(),
});

/** Every permission the roles grant, their inherited ones included. */
function grantsOf(userRoles: readonly string[]): Set<string> {
  const granted = new Set<string>();
  for (const role of userRoles) {
    const known = roles.names.find((name) => name === role);
    if (known !== undefined) for (const permission of roles.permissionsOf(known)) granted.add(permission);
  }
  return granted;
}

/** Whether `asked` is within what `granted` allows: a key may do no more than its user. */
function within(granted: ReadonlySet<string>, asked: string): boolean {
  if (granted.has('*') || granted.has(asked)) return true;
  const [action, resource] = asked.split(':');
  // `action:*` covers one resource's `action`, but a request for `action:*` needs `action:*` itself.
  return resource !== undefined && resource !== '*' && resource !== 'own' && granted.has(`${action}:*`);
}

/**
 * The account routes: sign-up, password login (session or JWT), the current user, the CSRF token
 * of a browser session, logout (here, or on every device), API keys, and an admin-only user list.
 * The token refresh (`POST /auth/refresh`) and the OpenID routes (`GET /auth/oidc`,
 * `/auth/oidc/callback`) are mounted by auth itself.
 *
 * @example
 * ```ts
 * const app = createExampleApp();
 * authRoutes(app);
 * ```
 */
export function authRoutes(app: ExampleApp): void {
  app.post('/auth/signup', {
    schema: { body: SignUp },
    status: 201,
    handler: async (ctx) => {
      const email = ctx.body.email.toLowerCase();
      const taken = () =>
        new ConflictError('An account with this email exists: sign in at POST /auth/login, or use another email.');
      if ((await findUserByEmail(ctx.db, email)) !== undefined) throw taken();
      const passwordHash = await app.auth.passwords.hash(ctx.body.password);
      try {
        return { user: publicUser(await createUser(ctx.db, { email, name: ctx.body.name, passwordHash })) };
      } catch (error) {
        // Another sign-up with the same email won the race between the check and the insert.
        if (isFrameworkError(error, DB_ERROR_CODES) && error.code === 'FW_DB_UNIQUE_VIOLATION') throw taken();
        throw error;
      }
    },
  });

  app.post('/auth/login', {
    schema: { body: Login },
    handler: async (ctx) => {
      const email = ctx.body.email.trim().toLowerCase();
      const user = await findUserByEmail(ctx.db, email);
      // Throttled by rateLimit's failedLogins; an unknown email takes as long as a wrong password.
      const { ok, rehash } = await app.auth.verifyPassword(ctx, {
        account: email,
        stored: user?.passwordHash ?? undefined,
        password: ctx.body.password,
      });
      if (!ok || user === undefined) {
        throw new UnauthorizedError('Wrong email or password: check both and try again.');
      }
      if (rehash !== undefined) await ctx.db.users.where({ id: user.id }).update({ passwordHash: rehash });
      const { strategy, tokens } = await ctx.login(user, { strategy: ctx.body.strategy });
      return tokens === undefined ? { user: publicUser(user), strategy } : { user: publicUser(user), strategy, tokens };
    },
  });

  app.get('/auth/me', {
    auth: true,
    handler: async (ctx) => {
      const user = await ctx.db.users.find(Number(ctx.user.id));
      if (user === null) throw new NotFoundError('Your account no longer exists; sign up again.');
      return { user: publicUser(user), strategy: ctx.auth.strategy };
    },
  });

  // A browser session sends this token back in x-csrf-token with each POST, PATCH or DELETE.
  app.get('/auth/csrf', (ctx) => ({ token: ctx.csrfToken }));

  app.post('/auth/logout', {
    auth: ['session', 'jwt'],
    handler: async (ctx) => {
      const body = Logout.safeParse(ctx.body ?? {});
      const refreshToken = body.success ? body.data.refreshToken : undefined;
      await ctx.logout(refreshToken === undefined ? {} : { refreshToken });
      return { loggedOut: true };
    },
  });

  app.post('/auth/logout-everywhere', {
    auth: ['session', 'jwt'],
    handler: async (ctx) => {
      await ctx.logout({ everywhere: true });
      return { loggedOut: 'everywhere' };
    },
  });

  app.post('/auth/api-keys', {
    auth: ['session', 'jwt'],
    schema: { body: NewApiKey },
    status: 201,
    handler: async (ctx) => {
      const granted = grantsOf(ctx.user.roles);
      const beyond = ctx.body.permissions.filter((asked) => !within(granted, asked));
      if (beyond.length > 0) {
        throw new ForbiddenError(
          `A key may do no more than you: your roles do not grant ${beyond.join(', ')}; ask for a subset of ${[...granted].join(', ')}.`,
        );
      }
      const keys = app.auth.apiKeys;
      if (keys === undefined) throw new NotFoundError('API keys are not enabled on this app.');
      const { expiresIn, ...rest } = ctx.body;
      const { key, record } = await keys.create({
        ...rest,
        userId: ctx.user.id,
        ...(expiresIn === undefined ? {} : { expiresIn }),
      });
      // The key is shown this once; only its hash is kept.
      return { key, id: record.id, name: record.name, permissions: record.permissions, expiresAt: record.expiresAt };
    },
  });

  app.get('/admin/users', {
    auth: true,
    permissions: ['admin'],
    handler: async (ctx) => (await ctx.db.users.orderBy('id')).map(publicUser),
  });
}
