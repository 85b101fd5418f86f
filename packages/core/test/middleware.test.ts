import { describe, expect, it } from 'vitest';
import { type Context, createApp, type Middleware } from '../src/index.ts';
import { readJson } from './helpers.ts';

describe('middleware', () => {
  it('runs in onion order: app, group, route, handler, then back out', async () => {
    const order: string[] = [];
    const trace =
      (name: string): Middleware =>
      async (_ctx, next) => {
        order.push(`${name}:in`);
        const reply = await next();
        order.push(`${name}:out`);
        return reply;
      };
    const app = createApp({ logger: false });
    app.use(trace('app1'));
    app.use(trace('app2'));
    app.group('/g', (g) => {
      g.use(trace('group'));
      g.get('/r', {
        middlewares: [trace('route1'), trace('route2')],
        handler: () => {
          order.push('handler');
          return 'ok';
        },
      });
    });
    await app.request('/g/r');
    expect(order).toEqual([
      'app1:in',
      'app2:in',
      'group:in',
      'route1:in',
      'route2:in',
      'handler',
      'route2:out',
      'route1:out',
      'group:out',
      'app2:out',
      'app1:out',
    ]);
  });

  it('applies app middleware registered after a route to that route too', async () => {
    const app = createApp({ logger: false });
    app.get('/', () => 'hi');
    app.use(async (ctx, next) => {
      ctx.header('x-late', 'yes');
      return next();
    });
    expect((await app.request('/')).headers.get('x-late')).toBe('yes');
  });

  it('extends the context with what is passed to next(), as the spec writes it', async () => {
    interface User {
      id: string;
    }
    const verifyToken = async (header: string | undefined): Promise<User> => ({ id: header ?? 'anon' });
    const auth: Middleware<Context, Context & { user: User }> = async (ctx, next) => {
      const user = await verifyToken(ctx.headers.authorization);
      return next({ ...ctx, user });
    };
    const app = createApp({ logger: false });
    app.get('/profile', {
      middlewares: [auth],
      handler: async (ctx) => ({ id: ctx.user.id, path: ctx.path }),
    });
    const res = await app.request('/profile', { headers: { authorization: 'u-1' } });
    expect(await readJson(res)).toEqual({ id: 'u-1', path: '/profile' });
  });

  it('ends the request when a middleware returns without calling next', async () => {
    const app = createApp({ logger: false });
    let reached = false;
    app.use((ctx, next) => (ctx.headers['x-key'] === 'secret' ? next() : ctx.json({ error: 'no key' }, 401)));
    app.get('/', () => {
      reached = true;
      return 'in';
    });
    const res = await app.request('/');
    expect(res.status).toBe(401);
    expect(reached).toBe(false);
  });

  it('reports a middleware that neither calls next nor answers', async () => {
    const app = createApp({ logger: false, exposeErrors: true });
    app.use(function forgetful() {
      return undefined;
    });
    app.get('/', () => 'in');
    const res = await app.request('/');
    expect(res.status).toBe(500);
    expect((await readJson(res)).detail).toContain('Middleware forgetful returned without calling next()');
  });

  it('lets a middleware change the reply after next()', async () => {
    const app = createApp({ logger: false });
    app.use(async (_ctx, next) => {
      const reply = await next();
      reply.headers['x-powered'] = 'framework';
      reply.status = 203;
      return reply;
    });
    app.get('/', () => ({ ok: true }));
    const res = await app.request('/');
    expect(res.status).toBe(203);
    expect(res.headers.get('x-powered')).toBe('framework');
  });

  it('lets a middleware catch errors from downstream', async () => {
    const app = createApp({ logger: false });
    app.use(async (ctx, next) => {
      try {
        return await next();
      } catch (error) {
        return ctx.json({ caught: (error as Error).message }, 503);
      }
    });
    app.get('/', () => {
      throw new Error('db down');
    });
    const res = await app.request('/');
    expect(res.status).toBe(503);
    expect(await readJson(res)).toEqual({ caught: 'db down' });
  });

  it('scopes app.use(prefix, mw) to paths under the prefix, also for unmatched paths', async () => {
    const app = createApp({ logger: false });
    app.use('/api', async (ctx, next) => {
      ctx.header('x-api', '1');
      return next();
    });
    app.get('/api/users', () => []);
    app.get('/apiary', () => 'bees');
    app.get('/', () => 'home');
    expect((await app.request('/api/users')).headers.get('x-api')).toBe('1');
    expect((await app.request('/api/missing')).headers.get('x-api')).toBe('1');
    expect((await app.request('/apiary')).headers.get('x-api')).toBeNull();
    expect((await app.request('/')).headers.get('x-api')).toBeNull();
  });

  it('runs app middleware for 404s and 405s', async () => {
    const app = createApp({ logger: false });
    app.use(async (ctx, next) => {
      ctx.header('x-seen', 'yes');
      return next();
    });
    app.get('/only-get', () => 'x');
    expect((await app.request('/missing')).headers.get('x-seen')).toBe('yes');
    expect((await app.request('/only-get', { method: 'PUT' })).headers.get('x-seen')).toBe('yes');
  });

  it('keeps group middleware out of routes outside the group', async () => {
    const app = createApp({ logger: false });
    app.group('/admin', (admin) => {
      admin.use((ctx) => ctx.json({ error: 'admins only' }, 403));
      admin.get('/panel', () => 'panel');
    });
    app.get('/admin-help', () => 'help');
    expect((await app.request('/admin/panel')).status).toBe(403);
    expect(await (await app.request('/admin-help')).text()).toBe('help');
  });

  it('runs onRequest hooks before middleware and lets them answer', async () => {
    const app = createApp({ logger: false });
    const seen: string[] = [];
    app.onRequest((ctx) => {
      seen.push(`hook ${ctx.path}`);
      return ctx.path === '/blocked' ? ctx.text('blocked', 451) : undefined;
    });
    app.use(async (_ctx, next) => {
      seen.push('middleware');
      return next();
    });
    app.get('/ok', () => 'ok');
    app.get('/blocked', () => 'never');
    await app.request('/ok');
    const blocked = await app.request('/blocked');
    expect(blocked.status).toBe(451);
    expect(seen).toEqual(['hook /ok', 'middleware', 'hook /blocked']);
  });

  it('runs onResponse hooks with the final reply, errors included', async () => {
    const app = createApp({ logger: false });
    const statuses: number[] = [];
    app.onResponse((_ctx, reply) => {
      statuses.push(reply.status);
      reply.headers['x-hooked'] = '1';
    });
    app.get('/ok', () => 'ok');
    app.get('/fail', () => {
      throw new Error('x');
    });
    const ok = await app.request('/ok');
    await app.request('/fail');
    await app.request('/none');
    expect(statuses).toEqual([200, 500, 404]);
    expect(ok.headers.get('x-hooked')).toBe('1');
  });
});
