import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, file, upload } from '../src/index.ts';

/** A route config as JavaScript (or a spread object) would pass it, past the type checks. */
function untyped(config: Record<string, unknown>): never {
  return config as never;
}

const jsonSchema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };

describe('route schemas that would silently validate nothing (issue 12)', () => {
  it('refuses an unknown schema key at registration, with "did you mean"', () => {
    const app = createApp({ logger: false });
    expect(() =>
      app.post('/users', untyped({ schema: { bodyy: z.object({ name: z.string() }) }, handler: () => 'ok' })),
    ).toThrow(
      'Route POST /users schema has no option "bodyy". Did you mean "body"? Known options: params, query, body, headers, response.',
    );
  });

  it('refuses a plain JSON Schema object as the body, saying what to pass', async () => {
    const app = createApp({ logger: false });
    expect(() => app.post('/users', untyped({ schema: { body: jsonSchema }, handler: () => 'ok' }))).toThrow(
      /Route POST \/users: schema\.body is a plain JSON Schema object, not a Standard Schema, so it would validate nothing\. Pass a zod schema/,
    );
    // Before, the route registered and took any body.
    expect(app.routes()).toHaveLength(0);
  });

  for (const part of ['params', 'query', 'headers'] as const) {
    it(`refuses a non-Standard Schema as schema.${part}`, () => {
      const app = createApp({ logger: false });
      expect(() => app.get('/x/:id', untyped({ schema: { [part]: jsonSchema }, handler: () => 'ok' }))).toThrow(
        `Route GET /x/:id: schema.${part} is a plain JSON Schema object, not a Standard Schema`,
      );
    });
  }

  it('refuses a non-Standard Schema response entry, and a single schema in place of the status map', () => {
    const app = createApp({ logger: false });
    expect(() => app.get('/x', untyped({ schema: { response: { 200: jsonSchema } }, handler: () => 'ok' }))).toThrow(
      'Route GET /x: schema.response[200] is a plain JSON Schema object, not a Standard Schema',
    );
    expect(() => app.get('/y', untyped({ schema: { response: z.object({}) }, handler: () => 'ok' }))).toThrow(
      'got a single schema (key it by status: { 200: schema })',
    );
  });

  it('refuses a schema given directly as schema, naming the parts', () => {
    const app = createApp({ logger: false });
    expect(() => app.post('/x', untyped({ schema: z.object({ name: z.string() }), handler: () => 'ok' }))).toThrow(
      'Route POST /x: schema names the parts it validates; put this schema under one of them',
    );
  });

  it('checks routes declared with app.route() and in groups', () => {
    const app = createApp({ logger: false });
    expect(() =>
      app.route(untyped({ method: 'POST', path: '/a', schema: { qurey: z.object({}) }, handler: () => 'ok' })),
    ).toThrow('Route POST /a schema has no option "qurey". Did you mean "query"?');
    expect(() =>
      app.group('/api', (api) => api.post('/b', untyped({ schema: { body: {} }, handler: () => 'ok' }))),
    ).toThrow('Route POST /api/b: schema.body is a plain object, not a Standard Schema');
  });

  it('accepts Standard Schemas, upload() bodies and undefined parts', async () => {
    const app = createApp({ logger: false });
    app.post('/users', {
      schema: {
        body: z.object({ name: z.string() }),
        query: undefined,
        response: { 200: z.object({ name: z.string() }) },
      },
      handler: (ctx) => ({ name: ctx.body.name }),
    });
    app.post('/avatar', {
      schema: {
        body: upload({ fields: z.object({ title: z.string() }), files: { avatar: file({ maxSize: '1MB' }) } }),
      },
      handler: () => 'ok',
    });
    await app.ready();
    const res = await app.request('/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 1 }),
    });
    expect(res.status).toBe(400);
  });
});
