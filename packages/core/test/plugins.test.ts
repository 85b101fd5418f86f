import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createApp,
  definePlugin,
  FrameworkError,
  type Middleware,
  type RouteCheck,
  type RouteInfo,
  UnauthorizedError,
} from '../src/index.ts';
import { readJson } from './helpers.ts';

describe('definePlugin', () => {
  const counter = definePlugin({
    name: 'counter',
    version: '1.0.0',
    setup(app, options: { start: number }) {
      let count = options.start;
      app.get('/count', () => ({ count }));
      return {
        decorate: { increment: () => ++count },
        context: { count: () => count, requestId: () => Math.random().toString(36).slice(2) },
      };
    },
  });

  it('adds routes and typed app and context decorations', async () => {
    const app = createApp({ logger: false }).use(counter({ start: 10 }));
    app.get('/ctx', (ctx) => {
      const first = ctx.requestId;
      return { count: ctx.count, same: first === ctx.requestId };
    });
    expect(app.increment()).toBe(11);
    expect(await readJson(await app.request('/count'))).toEqual({ count: 11 });
    expect(await readJson(await app.request('/ctx'))).toEqual({ count: 11, same: true });
  });

  it('computes a context decoration once per request, lazily', async () => {
    let calls = 0;
    const lazy = definePlugin({
      name: 'lazy',
      setup: () => ({ context: { expensive: () => ++calls } }),
    });
    const app = createApp({ logger: false }).use(lazy());
    app.get('/use', (ctx) => ctx.expensive + ctx.expensive);
    app.get('/skip', () => 'no');
    await app.request('/skip');
    expect(calls).toBe(0);
    expect(await (await app.request('/use')).text()).toBe('2');
    expect(calls).toBe(1);
  });

  it('registers a plugin once per name', async () => {
    let setups = 0;
    const once = definePlugin({
      name: 'once',
      setup(app) {
        setups++;
        app.get('/once', () => 'x');
      },
    });
    const app = createApp({ logger: false }).use(once()).use(once());
    await app.ready();
    expect(setups).toBe(1);
  });

  it('fails at start-up naming a missing dependency', async () => {
    const needsDb = definePlugin({ name: 'repo', dependencies: ['db'], setup() {} });
    const app = createApp({ logger: false }).use(needsDb());
    await expect(app.ready()).rejects.toThrow('Plugin "repo" needs the plugin "db", which is not registered');
    await expect(app.ready()).rejects.toBeInstanceOf(FrameworkError);
  });

  it('fails when a dependency is registered after the plugin that needs it', async () => {
    const db = definePlugin({ name: 'db', setup() {} });
    const repo = definePlugin({ name: 'repo', dependencies: ['db'], setup() {} });
    const app = createApp({ logger: false }).use(repo()).use(db());
    await expect(app.ready()).rejects.toThrow(
      'Plugin "repo" needs "db", which is registered after it. Register "db" first.',
    );
    const ok = createApp({ logger: false }).use(db()).use(repo());
    await expect(ok.ready()).resolves.toBeUndefined();
  });

  it('rejects two plugins decorating the same name', () => {
    const a = definePlugin({ name: 'a', setup: () => ({ decorate: { shared: 1 } }) });
    const b = definePlugin({ name: 'b', setup: () => ({ decorate: { shared: 2 } }) });
    expect(() => createApp({ logger: false }).use(a()).use(b())).toThrow(
      'plugin "b" decorates the app with "shared", which already exists',
    );
  });

  it('awaits an async setup before the first request', async () => {
    const slow = definePlugin({
      name: 'slow',
      async setup(app) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        app.get('/slow', () => 'ready');
        return { decorate: { connected: true } };
      },
    });
    const app = createApp({ logger: false }).use(slow());
    expect(await (await app.request('/slow')).text()).toBe('ready');
    expect(app.connected).toBe(true);
  });

  it('runs onStart and onClose hooks', async () => {
    const events: string[] = [];
    const lifecycle = definePlugin({
      name: 'lifecycle',
      setup(app) {
        app.onStart((address) => {
          events.push(`start ${address.port > 0}`);
        });
        app.onClose(() => {
          events.push('close');
        });
      },
    });
    const app = createApp({ logger: false }).use(lifecycle());
    await app.start({ port: 0 });
    await app.stop();
    expect(events).toEqual(['start true', 'close']);
  });

  it('tells onError hooks about errors while app.onError still answers', async () => {
    const seen: string[] = [];
    const tracker = definePlugin({
      name: 'tracker',
      setup(app) {
        app.hook('onError', (error) => {
          seen.push((error as Error).message);
        });
      },
    });
    const app = createApp({ logger: false }).use(tracker());
    app.get('/boom', () => {
      throw new Error('tracked');
    });
    expect((await app.request('/boom')).status).toBe(500);
    expect(seen).toEqual(['tracked']);
  });
});

describe('plugin scope', () => {
  const tagging = definePlugin({
    name: 'tagging',
    setup(app, options: { tag: string }) {
      app.use(async (ctx, next) => {
        ctx.header('x-tag', options.tag);
        return next();
      });
      app.get('/tagged', () => 'inside');
    },
  });

  it('global (the default): its middleware applies to the whole app', async () => {
    const app = createApp({ logger: false }).use(tagging({ tag: 'g' }));
    app.get('/outside', () => 'outside');
    expect((await app.request('/tagged')).headers.get('x-tag')).toBe('g');
    expect((await app.request('/outside')).headers.get('x-tag')).toBe('g');
  });

  it('encapsulated: its middleware applies only to its own routes', async () => {
    const app = createApp({ logger: false }).use(tagging({ tag: 'e' }), { scope: 'encapsulated' });
    app.get('/outside', () => 'outside');
    expect((await app.request('/tagged')).headers.get('x-tag')).toBe('e');
    expect((await app.request('/outside')).headers.get('x-tag')).toBeNull();
  });

  it('prefix: its routes and middleware live under the prefix', async () => {
    const app = createApp({ logger: false }).use(tagging({ tag: 'p' }), { prefix: '/plugin' });
    app.get('/plugin/other', () => 'other');
    app.get('/outside', () => 'outside');
    expect((await app.request('/plugin/tagged')).headers.get('x-tag')).toBe('p');
    expect((await app.request('/plugin/other')).headers.get('x-tag')).toBe('p');
    expect((await app.request('/outside')).headers.get('x-tag')).toBeNull();
    expect((await app.request('/tagged')).status).toBe(404);
  });

  it('a plugin can declare its scope itself', async () => {
    const own = definePlugin({
      name: 'own',
      scope: 'encapsulated',
      prefix: '/own',
      setup(app) {
        app.use((ctx) => ctx.text('intercepted'));
        app.get('/x', () => 'x');
      },
    });
    const app = createApp({ logger: false }).use(own());
    app.get('/y', () => 'y');
    expect(await (await app.request('/own/x')).text()).toBe('intercepted');
    expect(await (await app.request('/y')).text()).toBe('y');
  });
});

describe('plugin route options', () => {
  const roles = definePlugin({
    name: 'roles',
    setup() {
      return {
        routeOptions: {
          requireRole:
            (role: 'admin' | 'user'): Middleware =>
            (ctx, next) =>
              ctx.headers['x-role'] === role ? next() : ctx.json({ error: `needs role ${role}` }, 403),
        },
      };
    },
  });

  it('runs the option for the routes that set it, and only those', async () => {
    const app = createApp({ logger: false }).use(roles());
    app.get('/admin', { requireRole: 'admin', handler: () => 'secret' });
    app.get('/public', () => 'open');
    expect((await app.request('/admin')).status).toBe(403);
    expect(await (await app.request('/admin', { headers: { 'x-role': 'admin' } })).text()).toBe('secret');
    expect(await (await app.request('/public')).text()).toBe('open');
  });

  it("gives each option's factory the route's other plugin options, so one option can read another", async () => {
    const seen: Array<Readonly<Record<string, unknown>>> = [];
    const pair = definePlugin({
      name: 'pair',
      setup: () => ({
        routeOptions: {
          first: (value: string, route: RouteInfo): Middleware | undefined => {
            seen.push(route.options);
            return value === 'x' ? undefined : (_ctx, next) => next();
          },
          second: (_value: number): Middleware | undefined => undefined,
        },
      }),
    });
    const app = createApp({ logger: false }).use(pair());
    app.get('/both', { first: 'x', second: 2, meta: { summary: 'not an option' }, handler: () => 'ok' });
    await app.ready();
    expect(seen).toEqual([{ first: 'x', second: 2 }]);
  });

  it("runs a route option's check before the body is read and validated, and before middleware", async () => {
    const order: string[] = [];
    const keyed = definePlugin({
      name: 'keyed',
      setup: () => ({
        routeOptions: {
          key: (key: string): RouteCheck => ({
            check: async (ctx) => {
              order.push('check');
              if (ctx.headers['x-key'] !== key) throw new UnauthorizedError('Send the x-key header.');
            },
          }),
        },
      }),
    });
    const app = createApp({ logger: false }).use(keyed());
    app.post('/items', {
      key: 'secret',
      schema: { body: z.object({ name: z.string() }) },
      middlewares: [
        (_ctx, next) => {
          order.push('middleware');
          return next();
        },
      ],
      handler: (ctx) => ({ name: ctx.body.name }),
    });
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.request('/items', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    // Without the key, a malformed or invalid body is never looked at: 401, not 400.
    expect((await post('{not json')).status).toBe(401);
    expect((await post('{"name": 42}')).status).toBe(401);
    expect((await post('{"name": 42}', { 'x-key': 'secret' })).status).toBe(400);
    order.length = 0;
    expect(await (await post('{"name": "a"}', { 'x-key': 'secret' })).json()).toEqual({ name: 'a' });
    expect(order).toEqual(['check', 'middleware']);
  });

  it('refuses a route option no plugin provides, at start-up', async () => {
    const app = createApp({ logger: false });
    // @ts-expect-error `requireRole` is not a route option until the roles plugin is registered
    app.get('/admin', { requireRole: 'admin', handler: () => 'secret' });
    await expect(app.ready()).rejects.toThrow(
      'Route GET /admin sets "requireRole", but no registered plugin provides that option',
    );
  });
});

describe('plugin commands (CLI contributions)', () => {
  it('lists the commands plugins add, and refuses two plugins adding the same name', async () => {
    const io = {
      lines: [] as string[],
      stdout(line: string) {
        this.lines.push(line);
      },
      stderr() {},
    };
    const migrations = definePlugin({
      name: 'migrations',
      setup: () => ({
        commands: {
          'db:migrate': {
            description: 'Apply pending migrations',
            usage: 'db:migrate',
            run: async (args: readonly string[], out: { stdout(line: string): void }) => {
              out.stdout(`migrated ${args.join(' ')}`);
              return 0;
            },
          },
        },
      }),
    });
    const app = createApp({ logger: false }).use(migrations());
    await app.ready();
    const command = app.commands().get('db:migrate');
    expect(command?.description).toBe('Apply pending migrations');
    expect(await command?.run(['--to', '002'], io)).toBe(0);
    expect(io.lines).toEqual(['migrated --to 002']);

    const clash = definePlugin({
      name: 'other',
      setup: () => ({ commands: { 'db:migrate': { description: 'x', usage: 'x', run: async () => 1 } } }),
    });
    expect(() => createApp({ logger: false }).use(migrations()).use(clash())).toThrow(
      /adds the command "db:migrate", which plugin "migrations" already adds/,
    );
  });
});

describe('plugin health checks', () => {
  it('reports up when every check answers, down with the reason when one fails or hangs', async () => {
    const healthy = definePlugin({ name: 'healthy', setup: () => ({ health: { cache: async () => 'PONG' } }) });
    const broken = definePlugin({
      name: 'broken',
      setup: () => ({
        health: {
          database: async () => {
            throw new Error('connection refused');
          },
          queue: () => new Promise(() => {}),
        },
      }),
    });
    expect(await createApp({ logger: false }).use(healthy()).health()).toEqual({
      status: 'up',
      checks: { cache: { status: 'up', ms: expect.any(Number) } },
    });
    const report = await createApp({ logger: false }).use(healthy()).use(broken()).health(200);
    expect(report.status).toBe('down');
    expect(report.checks.database).toMatchObject({ status: 'down', error: 'connection refused' });
    expect(report.checks.queue).toMatchObject({ status: 'down', error: 'no answer within 200 ms' });
    expect(report.checks.cache?.status).toBe('up');
  });
});
