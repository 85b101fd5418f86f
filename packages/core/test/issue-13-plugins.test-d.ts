import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type Context, type ContextOf, createApp, definePlugin, type Middleware } from '../src/index.ts';

interface Clock {
  now(): number;
}
const isClock = (value: unknown): value is Clock =>
  typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function';
const clockPlugin = definePlugin({
  name: 'clock',
  setup: () => ({ decorate: { clock: { now: () => 1 } satisfies Clock } }),
});
type User = { id: string };

describe('plugins that require decorations', () => {
  it('see required decorations typed by their guard, optional ones possibly undefined', () => {
    definePlugin({
      name: 'reader',
      requires: { clock: isClock, other: { is: isClock, optional: true } },
      setup(app) {
        expectTypeOf(app.clock).toEqualTypeOf<Clock>();
        expectTypeOf(app.other).toEqualTypeOf<Clock | undefined>();
        // @ts-expect-error only the declared decorations are there
        app.redis;
      },
    });
  });

  it('make app.use() a type error on an app without what they require', () => {
    const uptime = definePlugin({ name: 'uptime', requires: { clock: isClock }, setup() {} });
    createApp().use(clockPlugin()).use(uptime());
    // @ts-expect-error app.clock is missing: register clockPlugin() first
    createApp().use(uptime());
    // @ts-expect-error registered after, not before
    createApp().use(uptime()).use(clockPlugin());
    // @ts-expect-error app.clock is there but is not a Clock
    createApp().decorate('clock', 'noon').use(uptime());
    const optional = definePlugin({ name: 'opt', requires: { clock: { is: isClock, optional: true } }, setup() {} });
    createApp().use(optional());
  });
});

describe('ContextOf', () => {
  it('names the context of an app, with what its plugins and middleware add', () => {
    const withUser: Middleware<Context, Context & { user: User }> = (_ctx, next) => next({ user: { id: 'a' } });
    const app = createApp()
      .use(definePlugin({ name: 'tenant', setup: () => ({ context: { tenant: () => 'acme' } }) })())
      .use(withUser);
    type AppContext = ContextOf<typeof app>;
    expectTypeOf<AppContext['tenant']>().toEqualTypeOf<string>();
    expectTypeOf<AppContext['user']>().toEqualTypeOf<User>();
    expectTypeOf<AppContext['params']>().toEqualTypeOf<Record<string, string>>();
    const reusable: Middleware<AppContext> = (ctx, next) => (ctx.tenant === 'acme' ? next() : ctx.text('no', 403));
    app.get('/r', { middlewares: [reusable], handler: (ctx) => ctx.tenant });
    const elsewhere: Middleware<ContextOf<ReturnType<typeof createApp>>> = (ctx, next) => {
      // @ts-expect-error an app without the plugin has no tenant
      ctx.tenant;
      return next();
    };
    void elsewhere;
  });

  it('is never for something that is not an app', () => {
    expectTypeOf<ContextOf<{ get(): void }>>().toBeNever();
  });
});

describe('route middleware', () => {
  const auth: Middleware<Context, Context & { user: User }> = (ctx, next) => next({ user: { id: ctx.ip } });
  const needsUser: Middleware<Context & { user: User }> = (ctx, next) => (ctx.user.id ? next() : next());

  it('types a middleware written inline with the route context', () => {
    createApp().get('/users/:id', {
      schema: { query: z.object({ page: z.coerce.number() }) },
      middlewares: [
        (ctx, next) => {
          expectTypeOf(ctx.params.id).toEqualTypeOf<string>();
          expectTypeOf(ctx.query.page).toEqualTypeOf<number>();
          // @ts-expect-error the path declares no such parameter
          ctx.params.org;
          return next();
        },
      ],
      handler: (ctx) => ctx.params.id,
    });
  });

  it('keeps what typed middleware add for the handler when inline ones are mixed in', () => {
    createApp().get('/me', {
      middlewares: [auth, (_ctx, next) => next(), needsUser],
      handler: (ctx) => {
        expectTypeOf(ctx.user).toEqualTypeOf<User>();
      },
    });
  });

  it('accepts a plain Middleware on a route whose schemas change the shape of query and params', () => {
    createApp().get('/items/:id', {
      schema: { params: z.object({ id: z.coerce.number() }), query: z.object({ page: z.coerce.number() }) },
      middlewares: [auth],
      handler: (ctx) => ctx.params.id + ctx.query.page,
    });
  });

  it('refuses a typed middleware that reads what nothing before it adds', () => {
    createApp().get('/ok', { middlewares: [auth, needsUser], handler: (ctx) => ctx.user.id });
    // @ts-expect-error needsUser runs before auth gives the user
    createApp().get('/wrong-order', { middlewares: [needsUser, auth], handler: () => 'x' });
    // @ts-expect-error no middleware gives the user at all
    createApp().get('/none', { middlewares: [needsUser], handler: () => 'x' });
  });

  it('does not type what an inline middleware passes to next()', () => {
    createApp().get('/x', {
      middlewares: [(_ctx, next) => next({ extra: 1 })],
      handler: (ctx) => {
        // @ts-expect-error an inline middleware extends nothing: type it to extend the context
        ctx.extra;
      },
    });
  });
});
