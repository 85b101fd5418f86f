import { cache } from '@framework/cache';
import { createApp, rateLimit } from '@framework/core';
import { z } from 'zod';
import { auth } from '../src/index.ts';
import { quiet, type StoreKind, testRedisOptions } from './helpers.ts';

export const COOKIE_SECRET = 'plugin-test-cookie-secret-0123456789abcdef';
export const SESSION_SECRET = 'plugin-test-session-secret-0123456789abcdef';
export const JWT_SECRET = 'plugin-test-jwt-secret-0123456789abcdef-0123456789';

/** A user as the app's database has it: more than a token should carry. */
export interface DbUser {
  id: number;
  email: string;
  name: string;
  roles: string[];
  passwordHash: string;
}

export interface Post {
  id: string;
  authorId: string;
}

/** The spec's roles (§3.2.2), as the app declares them. */
export const roles = auth.defineRoles({
  admin: ['*'],
  moderator: ['read:*', 'write:posts', 'delete:comments'],
  user: ['read:*', 'write:own'],
});

/**
 * The app the plugin tests run: password login (session or JWT), the spec's admin route, ownership,
 * API keys, logout and "log out everywhere", on the memory store or on Redis through
 * @framework/cache.
 */
export function authApp(kind: StoreKind) {
  const users = new Map<string, DbUser>();
  const posts = new Map<string, Post>([
    ['p1', { id: 'p1', authorId: '2' }],
    ['p2', { id: 'p2', authorId: '3' }],
  ]);
  const base = createApp({ logger: false, cookies: { secret: COOKIE_SECRET } });
  const withCache = kind === 'redis' ? base.use(cache({ redis: testRedisOptions(), env: {}, logger: quiet })) : base;
  const app = withCache
    .use(rateLimit({ max: 100_000, suspicious: { failedLogins: { max: 5, window: '5m', action: 'block' } } }))
    .use(
      auth({
        strategies: {
          jwt: {
            secret: JWT_SECRET,
            algorithm: 'HS256',
            expiresIn: '15m',
            refresh: { enabled: true, expiresIn: '7d', rotateSecret: true },
          },
          session: { store: kind, secret: SESSION_SECRET },
          apiKey: {},
        },
        store: kind,
        roles,
        findUser: (id: string) => users.get(id),
        serialize: (user: DbUser) => ({ id: String(user.id), roles: user.roles, name: user.name }),
        owner: (user, resource) => Reflect.get(resource, 'authorId') === user.id,
      }),
    );

  app.post('/login', {
    schema: {
      body: z.object({ email: z.string(), password: z.string(), strategy: z.enum(['jwt', 'session']).optional() }),
    },
    handler: async (ctx) => {
      const { email, password, strategy } = ctx.body;
      const user = [...users.values()].find((candidate) => candidate.email === email);
      const { ok } = await app.auth.verifyPassword(ctx, { account: email, stored: user?.passwordHash, password });
      if (!ok || user === undefined) return ctx.json({ error: 'Wrong email or password.' }, 401);
      const result = await ctx.login(user, strategy === undefined ? {} : { strategy });
      return result.tokens ?? { user: result.user };
    },
  });
  app.get('/me', {
    auth: ['jwt', 'session', 'apiKey'],
    handler: (ctx) => ({ user: ctx.user, strategy: ctx.auth.strategy }),
  });
  app.get('/csrf', (ctx) => ({ token: ctx.csrfToken }));
  app.post('/notes', { auth: ['session'], handler: (ctx) => ({ saved: true, by: ctx.user.id }) });
  // The spec's route (§3.2.2).
  app.post('/admin/users', {
    auth: ['jwt'],
    permissions: ['admin', 'write:users'],
    handler: (ctx) => ({ created: true, by: ctx.user.id }),
  });
  app.get('/admin/users', {
    auth: true,
    permissions: ['admin'],
    handler: () => [...users.values()].map((u) => u.email),
  });
  app.get('/reports', { auth: ['apiKey', 'jwt'], permissions: ['read:reports'], handler: () => ({ rows: 3 }) });
  app.put('/posts/:id', {
    auth: true,
    handler: (ctx) => {
      const post = posts.get(ctx.params.id);
      if (post === undefined) return ctx.json({ error: 'no such post' }, 404);
      return ctx.can('write', post, 'posts') ? { updated: post.id } : ctx.json({ error: 'not yours' }, 403);
    },
  });
  app.get('/feed', { auth: { optional: true }, handler: (ctx) => ({ for: ctx.auth.user?.id ?? 'guest' }) });
  app.get('/reads-user', (ctx) => ({ id: ctx.user.id }));
  app.post('/logout', {
    auth: true,
    handler: async (ctx) => {
      const body: unknown = ctx.body;
      const refreshToken = typeof body === 'object' && body !== null ? Reflect.get(body, 'refreshToken') : undefined;
      await ctx.logout(typeof refreshToken === 'string' ? { refreshToken } : {});
      return { loggedOut: true };
    },
  });
  app.post('/logout-everywhere', {
    auth: true,
    handler: async (ctx) => {
      await ctx.logout({ everywhere: true });
      return { loggedOut: 'everywhere' };
    },
  });
  return { app, users, posts };
}
