import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type Context, createApp, definePlugin, type Middleware, type PathParams, type Reply } from '../src/index.ts';

interface User {
  id: string;
  roles: string[];
}
declare function verifyToken(header: string | undefined): Promise<User>;

describe('path parameters', () => {
  it('are inferred from the path', () => {
    expectTypeOf<PathParams<'/user/:id'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<PathParams<'/orgs/:org/repos/:repo(\\d+)'>>().toEqualTypeOf<{ org: string; repo: string }>();
    expectTypeOf<PathParams<'/files/*'>>().toEqualTypeOf<{ '*': string }>();
    expectTypeOf<PathParams<'/static'>>().toEqualTypeOf<{}>();

    const app = createApp();
    app.get('/user/:id', (ctx) => {
      expectTypeOf(ctx.params.id).toEqualTypeOf<string>();
      // @ts-expect-error the path declares no `name` parameter
      ctx.params.name;
    });
  });

  it('include the prefix of the group they are in', () => {
    createApp().group('/orgs/:org', (orgs) => {
      orgs.get('/members/:member', (ctx) => {
        expectTypeOf(ctx.params).toEqualTypeOf<{ org: string; member: string }>();
      });
    });
  });
});

describe('schemas type the context', () => {
  it('params, query, body and headers come from their schemas', () => {
    createApp().route({
      method: 'POST',
      path: '/api/users',
      schema: {
        body: z.object({ name: z.string().min(2), email: z.email(), age: z.number().min(18).optional() }),
        query: z.object({ source: z.enum(['web', 'mobile']).optional() }),
        params: z.object({}),
        headers: z.object({ 'x-tenant': z.string() }),
      },
      handler: async (ctx) => {
        expectTypeOf(ctx.body).toEqualTypeOf<{ name: string; email: string; age?: number | undefined }>();
        expectTypeOf(ctx.query.source).toEqualTypeOf<'web' | 'mobile' | undefined>();
        expectTypeOf(ctx.headers['x-tenant']).toEqualTypeOf<string>();
        // @ts-expect-error the body schema has no `password`
        ctx.body.password;
        return { user: ctx.body };
      },
    });
  });

  it('without a schema the body is unknown and the query is strings', () => {
    createApp().post('/raw', (ctx) => {
      expectTypeOf(ctx.body).toEqualTypeOf<unknown>();
      expectTypeOf(ctx.query.page).toEqualTypeOf<string | string[] | undefined>();
    });
  });

  it('response schemas type what a handler may return and what ctx.json takes', () => {
    const app = createApp();
    app.get('/users/:id', {
      schema: { response: { 200: z.object({ id: z.number() }), 404: z.object({ message: z.string() }) } },
      handler: (ctx) => {
        if (ctx.params.id === '0') return ctx.json({ message: 'none' }, 404);
        // @ts-expect-error a 404 body needs `message`
        ctx.json({ id: 1 }, 404);
        return { id: 1 };
      },
    });
    // @ts-expect-error the 200 schema needs a numeric id
    app.get('/wrong', {
      schema: { response: { 200: z.object({ id: z.number() }) } },
      handler: () => ({ id: 'one' }),
    });
  });
});

describe('middleware extends the context', () => {
  it('types the spec §2.2.1 auth example', () => {
    const auth: Middleware<Context, Context & { user: User }> = async (ctx, next) => {
      const user = await verifyToken(ctx.headers.authorization);
      return next({ ...ctx, user });
    };
    createApp().get('/profile', {
      middlewares: [auth],
      handler: async (ctx) => {
        expectTypeOf(ctx.user).toEqualTypeOf<User>();
        console.log(ctx.user.id);
      },
    });
  });

  it('refuses a middleware that promises an extension but does not pass it', () => {
    // @ts-expect-error next() must receive the `user` this middleware promises
    const broken: Middleware<Context, Context & { user: User }> = async (_ctx, next) => next();
    void broken;
  });

  it('merges several route middleware in order', () => {
    const a: Middleware<Context, Context & { a: number }> = (_ctx, next) => next({ a: 1 });
    const b: Middleware<Context, Context & { b: string }> = (_ctx, next) => next({ b: 'x' });
    createApp().get('/ab', {
      middlewares: [a, b],
      handler: (ctx) => {
        expectTypeOf(ctx.a).toEqualTypeOf<number>();
        expectTypeOf(ctx.b).toEqualTypeOf<string>();
      },
    });
  });

  it('flows from app.use() to the routes of the app it returns', () => {
    const auth: Middleware<Context, Context & { user: User }> = async (ctx, next) =>
      next({ user: await verifyToken(ctx.headers.authorization) });
    const app = createApp().use(auth);
    app.get('/me', (ctx) => {
      expectTypeOf(ctx.user.roles).toEqualTypeOf<string[]>();
    });
    createApp().get('/me', (ctx) => {
      // @ts-expect-error without the middleware there is no user
      ctx.user;
    });
  });

  it('lets a middleware return the reply of next()', () => {
    const timing: Middleware = async (_ctx, next) => {
      const reply = await next();
      expectTypeOf(reply).toEqualTypeOf<Reply>();
      return reply;
    };
    createApp().use(timing);
  });
});

describe('plugins type the app, the context and route options', () => {
  const db = definePlugin({
    name: 'db',
    setup: (_app, options: { url: string }) => {
      const client = { url: options.url, query: async (sql: string) => [sql] };
      return { decorate: { db: client }, context: { db: () => client } };
    },
  });
  const roles = definePlugin({
    name: 'roles',
    setup: () => ({
      routeOptions: {
        permissions:
          (required: string[]): Middleware =>
          (_ctx, next) =>
            required.length > 0 ? next() : next(),
      },
    }),
  });

  it('decorations reach the app and handlers', () => {
    const app = createApp().use(db({ url: 'postgres://x' }));
    expectTypeOf(app.db.url).toEqualTypeOf<string>();
    app.get('/rows', async (ctx) => {
      expectTypeOf(ctx.db.query).toEqualTypeOf<(sql: string) => Promise<string[]>>();
      return ctx.db.query('select 1');
    });
  });

  it('plugin options are checked', () => {
    // @ts-expect-error `url` is required
    db({});
    // @ts-expect-error `url` must be a string
    db({ url: 1 });
  });

  it('route options type-check only once their plugin is registered', () => {
    const app = createApp().use(roles());
    app.post('/admin/users', { permissions: ['admin', 'write:users'], handler: () => 'ok' });
    // @ts-expect-error permissions must be strings
    app.post('/x', { permissions: [1], handler: () => 'ok' });
    // @ts-expect-error no plugin adds `permissions` to this app
    createApp().post('/x', { permissions: ['admin'], handler: () => 'ok' });
  });

  it('app.decorate() types the value it adds', () => {
    const app = createApp().decorate('config', { port: 3000 });
    expectTypeOf(app.config.port).toEqualTypeOf<number>();
  });
});
