import { createApp } from '@framework/core';
import { describe, expectTypeOf, it } from 'vitest';
import { type AuthUser, auth, defineRoles, type RequestAuth, type TokenPair } from '../src/index.ts';

interface DbUser {
  id: number;
  email: string;
  name: string;
  roles: string[];
}
const users = new Map<string, DbUser>();
const roles = defineRoles({ admin: ['*'], moderator: ['read:*', 'write:posts'], user: ['read:*', 'write:own'] });

const app = createApp().use(
  auth({
    strategies: { jwt: { secret: 'x'.repeat(32) }, session: {} },
    roles,
    findUser: (id: string) => users.get(id),
    serialize: (user: DbUser) => ({ id: String(user.id), roles: user.roles, name: user.name }),
  }),
);

describe('auth() types', () => {
  it("types ctx.user by serialize, and ctx.login by the app's own user", () => {
    app.get('/me', {
      auth: ['jwt', 'session'],
      handler: (ctx) => {
        expectTypeOf(ctx.user).toEqualTypeOf<{ id: string; roles: string[]; name: string }>();
        expectTypeOf(ctx.auth).toEqualTypeOf<RequestAuth<{ id: string; roles: string[]; name: string }>>();
        // @ts-expect-error ctx.user carries what serialize returns, not the database row
        ctx.user.email;
        return ctx.user;
      },
    });
    app.post('/login', async (ctx) => {
      const user = users.get('1');
      if (user === undefined) return undefined;
      const result = await ctx.login(user, { strategy: 'jwt' });
      expectTypeOf(result.tokens).toEqualTypeOf<TokenPair | undefined>();
      // @ts-expect-error ctx.login takes the app's user, not what a token carries
      await ctx.login({ id: '1', roles: [] });
      return result.tokens;
    });
  });

  it("types a route's strategies by those configured", () => {
    app.get('/a', { auth: ['jwt'], handler: () => 'ok' });
    app.get('/b', { auth: true, handler: () => 'ok' });
    app.get('/c', { auth: { optional: true }, handler: () => 'ok' });
    // @ts-expect-error apiKey is not configured in auth({ strategies })
    app.get('/d', { auth: ['apiKey'], handler: () => 'ok' });
    // @ts-expect-error oauth signs users in; it does not authenticate requests
    app.get('/e', { auth: ['oauth'], handler: () => 'ok' });
  });

  it('types permissions by the roles: role names and declared actions', () => {
    app.post('/admin/users', { auth: ['jwt'], permissions: ['admin', 'write:users'], handler: () => 'ok' });
    // @ts-expect-error 'admn' is no role
    app.post('/x', { auth: ['jwt'], permissions: ['admn'], handler: () => 'ok' });
    // @ts-expect-error no role declares the action 'wrte'
    app.post('/y', { auth: ['jwt'], permissions: ['wrte:users'], handler: () => 'ok' });
  });

  it('defaults ctx.user to { id, roles } without serialize', () => {
    const plain = createApp().use(auth({ strategies: { session: {} } }));
    plain.get('/me', { auth: ['session'], handler: (ctx) => expectTypeOf(ctx.user).toEqualTypeOf<AuthUser>() });
    // Without roles, permissions name roles: any string.
    plain.get('/admin', { auth: true, permissions: ['admin'], handler: () => 'ok' });
  });

  it('offers auth.defineRoles as the spec writes it', () => {
    const same = auth.defineRoles({ admin: ['*'] });
    expectTypeOf(same.names).toEqualTypeOf<readonly 'admin'[]>();
  });
});
