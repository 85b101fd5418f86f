import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createApp, type RouteStatus } from '../src/index.ts';

const User = z.object({ id: z.number(), name: z.string() });
const Problem = z.object({ title: z.string() });

describe('a static status needs a response schema when the route declares any', () => {
  it('refuses status 201 next to a 200-only schema', () => {
    const app = createApp();
    // @ts-expect-error 201 has no response schema: the body would go out unfiltered
    app.post('/users', {
      schema: { response: { 200: User } },
      status: 201,
      handler: () => ({ id: 1, name: 'a' }),
    });
    app.post('/users-ok', {
      schema: { response: { 201: User } },
      status: 201,
      handler: () => ({ id: 1, name: 'a' }),
    });
  });

  it("accepts any status with a '2xx' or 'default' schema, and bodiless statuses always", () => {
    const app = createApp();
    app.post('/a', { schema: { response: { '2xx': User } }, status: 201, handler: () => ({ id: 1, name: 'a' }) });
    app.post('/b', { schema: { response: { default: User } }, status: 202, handler: () => ({ id: 1, name: 'a' }) });
    app.delete('/c', { schema: { response: { 200: User } }, status: 204, handler: () => undefined });
    app.post('/d', { status: 201, handler: () => ({ anything: true }) });
    expectTypeOf<RouteStatus<{ response: { 201: typeof User } }>>().toEqualTypeOf<201 | 204 | 205 | 304>();
    expectTypeOf<RouteStatus<{ response: { '2xx': typeof User } }>>().toEqualTypeOf<number>();
    expectTypeOf<RouteStatus<{}>>().toEqualTypeOf<number>();
  });

  it('refuses a 4xx-only schema with a 2xx status', () => {
    // @ts-expect-error no 2xx schema at all
    createApp().post('/e', {
      schema: { response: { '4xx': Problem } },
      status: 200,
      handler: () => ({ id: 1 }),
    });
  });

  it("types the returned value and ctx.json by the exact status, then the class, then 'default'", () => {
    const app = createApp();
    app.get('/f', {
      schema: { response: { 200: User, '4xx': Problem } },
      handler: (ctx) => {
        ctx.json({ title: 'not found' }, 404);
        // @ts-expect-error a 404 body is a Problem
        ctx.json({ id: 1, name: 'a' }, 404);
        return ctx.json({ id: 1, name: 'a' }, 200);
      },
    });
    // @ts-expect-error the 2xx schema needs a numeric id
    app.post('/g', {
      schema: { response: { '2xx': User } },
      status: 201,
      handler: () => ({ id: 'one', name: 'a' }),
    });
    app.post('/h', {
      schema: { response: { default: User } },
      handler: (ctx) => ctx.json({ id: 1, name: 'a' }, 202),
    });
  });
});
