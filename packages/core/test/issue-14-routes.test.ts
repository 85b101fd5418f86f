import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, definePlugin, type Middleware } from '../src/index.ts';

const auth = definePlugin({
  name: 'auth',
  setup() {
    return {
      routeOptions: {
        auth:
          (required: boolean): Middleware =>
          (ctx, next) =>
            required && ctx.headers.authorization === undefined ? ctx.json({ error: 'sign in' }, 401) : next(),
      },
    };
  },
});

const pass: Middleware = (_ctx, next) => next();

describe('app.routes() describes middleware, schemas and plugin route options (issue 14)', () => {
  it('counts app, prefix, group and route middleware that apply to each route, and only those', async () => {
    const app = createApp({ logger: false }).use(auth());
    app.use(pass);
    app.use('/admin', pass);
    app.get('/', () => 'home');
    app.group('/admin', (admin) => {
      admin.use(pass);
      admin.get('/users', {
        middlewares: [pass, pass],
        auth: true,
        schema: { query: z.object({ page: z.coerce.number() }), response: { 200: z.array(z.string()) } },
        handler: () => ['ada'],
      });
    });
    app.get('/admin-help', () => 'help');
    app.post('/items/:id', {
      schema: { params: z.object({ id: z.string() }), body: z.object({ name: z.string() }), headers: z.object({}) },
      handler: () => 'ok',
    });
    await app.ready();

    const byPath = new Map(app.routes().map((route) => [`${route.method} ${route.path}`, route]));
    expect(byPath.get('GET /')).toMatchObject({ middlewares: 1, schemas: [], options: [] });
    // app-wide, the '/admin' prefix, the group's own and the route's two
    expect(byPath.get('GET /admin/users')).toMatchObject({
      middlewares: 5,
      schemas: ['query', 'response'],
      options: ['auth'],
    });
    // '/admin-help' is not under '/admin'
    expect(byPath.get('GET /admin-help')).toMatchObject({ middlewares: 1, options: [] });
    expect(byPath.get('POST /items/:id')).toMatchObject({ schemas: ['params', 'body', 'headers'] });

    // what the description says is what runs
    expect((await app.request('/admin/users?page=1')).status).toBe(401);
    expect((await app.request('/admin/users?page=1', { headers: { authorization: 'x' } })).status).toBe(200);
  });

  it('describes routes before ready() too, and keeps meta as written', () => {
    const app = createApp({ logger: false });
    app.get('/hello', { meta: { summary: 'Say hello', tags: ['greeting'] }, handler: () => 'hi' });
    expect(app.routes()).toEqual([
      {
        method: 'GET',
        path: '/hello',
        meta: { summary: 'Say hello', tags: ['greeting'] },
        middlewares: 0,
        schemas: [],
        options: [],
      },
    ]);
  });
});
