import { describe, expect, it } from 'vitest';
import { type ContextOf, createApp, definePlugin, isFrameworkError, type Middleware } from '../src/index.ts';
import { readJson } from './helpers.ts';

class Clock {
  readonly now: () => number;
  constructor(now: () => number) {
    this.now = now;
  }
}
const isClock = (value: unknown): value is Clock => value instanceof Clock;

/** Provides `app.clock`. */
const clockPlugin = definePlugin({
  name: 'clock',
  setup: (_app, options: { at: number }) => ({ decorate: { clock: new Clock(() => options.at) } }),
});

/** Reads `app.clock` through a typed requirement. */
const uptime = definePlugin({
  name: 'uptime',
  requires: { clock: { is: isClock, from: 'the clock plugin (app.use(clockPlugin()))' } },
  setup(app) {
    app.get('/uptime', () => ({ at: app.clock.now() }));
  },
});

/** Works with or without `app.clock`. */
const stamp = definePlugin({
  name: 'stamp',
  requires: { clock: { is: isClock, optional: true } },
  setup(app) {
    const clock = app.clock;
    app.get('/stamp', () => ({ at: clock === undefined ? 'no clock' : clock.now() }));
  },
});

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('plugins that require decorations', () => {
  it('see the decoration a plugin registered before them provides', async () => {
    const app = createApp({ logger: false })
      .use(clockPlugin({ at: 42 }))
      .use(uptime());
    expect(await readJson(await app.request('/uptime'))).toEqual({ at: 42 });
  });

  it('fail at registration, naming the decoration and what provides it, when it is missing', () => {
    const app = createApp({ logger: false });
    // The type error this is (see issue-13-plugins.test-d.ts) is silenced to see the run-time check.
    // @ts-expect-error uptime requires app.clock
    const error = thrown(() => app.use(uptime()));
    expect(isFrameworkError(error) && error.code).toBe('FW_ERR_PLUGIN_DEPENDENCY');
    expect(error.message).toContain('app.clock');
    expect(error.message).toContain('the clock plugin (app.use(clockPlugin()))');
  });

  it('fail when the decoration is there but is not what they need', () => {
    const app = createApp({ logger: false }).decorate('clock', 'a string, not a Clock');
    // @ts-expect-error app.clock is a string, not a Clock
    const error = thrown(() => app.use(uptime()));
    expect(isFrameworkError(error) && error.code).toBe('FW_ERR_PLUGIN_DEPENDENCY');
    expect(error.message).toContain('app.clock is something else (string)');
  });

  it('run without an optional decoration, and use it when it is there', async () => {
    const without = createApp({ logger: false }).use(stamp());
    expect(await readJson(await without.request('/stamp'))).toEqual({ at: 'no clock' });
    const withClock = createApp({ logger: false })
      .use(clockPlugin({ at: 7 }))
      .use(stamp());
    expect(await readJson(await withClock.request('/stamp'))).toEqual({ at: 7 });
  });

  it('refuse a requirement with no check when the plugin is defined', () => {
    const error = thrown(() =>
      // @ts-expect-error a requirement needs a type guard
      definePlugin({ name: 'broken', requires: { clock: true }, setup() {} }),
    );
    expect(isFrameworkError(error) && error.code).toBe('FW_ERR_PLUGIN_INVALID');
    expect(error.message).toContain('requires: { clock: isX }');
  });
});

describe('registering a plugin twice', () => {
  it('is a no-op with equal options (two plugins may both register a shared one)', async () => {
    const app = createApp({ logger: false })
      .use(clockPlugin({ at: 1 }))
      .use(clockPlugin({ at: 1 }));
    expect(app.clock.now()).toBe(1);
  });

  it('is an error with different options, instead of ignoring the second', () => {
    const app = createApp({ logger: false }).use(clockPlugin({ at: 1 }));
    const error = thrown(() => app.use(clockPlugin({ at: 2 })));
    expect(isFrameworkError(error) && error.code).toBe('FW_ERR_PLUGIN_DUPLICATE');
    expect(error.message).toContain('Plugin "clock" is registered twice with different options');
    expect(app.clock.now()).toBe(1);
  });
});

describe('ContextOf and inline route middleware', () => {
  it('types a reusable middleware with the context of an app', async () => {
    const app = createApp({ logger: false }).use(
      definePlugin({ name: 'tenant', setup: () => ({ context: { tenant: () => 'acme' } }) })(),
    );
    const tag: Middleware<ContextOf<typeof app>> = (ctx, next) => {
      ctx.header('x-tenant', ctx.tenant);
      return next();
    };
    app.get('/t', { middlewares: [tag], handler: (ctx) => ({ tenant: ctx.tenant }) });
    const res = await app.request('/t');
    expect(res.headers.get('x-tenant')).toBe('acme');
    expect(await readJson(res)).toEqual({ tenant: 'acme' });
  });

  it('runs inline middleware typed from the route, and the handler sees what the typed ones add', async () => {
    type Base = ContextOf<ReturnType<typeof createApp>>;
    const auth: Middleware<Base, Base & { user: string }> = (ctx, next) =>
      ctx.headers.authorization === undefined ? ctx.json({ error: 'log in' }, 401) : next({ user: 'ada' });
    const owner: Middleware<Base & { user: string; params: { id: string } }> = (ctx, next) =>
      ctx.user === ctx.params.id ? next() : ctx.json({ error: 'not yours' }, 403);
    const app = createApp({ logger: false }).get('/users/:id', {
      middlewares: [
        (ctx, next) => (ctx.params.id.length > 20 ? ctx.json({ error: 'id too long' }, 400) : next()),
        auth,
        owner,
      ],
      handler: (ctx) => ({ user: ctx.user }),
    });
    expect((await app.request(`/users/${'x'.repeat(21)}`)).status).toBe(400);
    expect((await app.request('/users/ada')).status).toBe(401);
    expect((await app.request('/users/bob', { headers: { authorization: 'x' } })).status).toBe(403);
    expect(await readJson(await app.request('/users/ada', { headers: { authorization: 'x' } }))).toEqual({
      user: 'ada',
    });
  });
});
