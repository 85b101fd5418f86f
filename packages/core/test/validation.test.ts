import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, isValidationError, type StandardSchemaV1 } from '../src/index.ts';
import { readJson } from './helpers.ts';

describe('request validation with zod', () => {
  const app = createApp({ logger: false });
  app.get('/items/:id', {
    schema: {
      params: z.object({ id: z.coerce.number().int().positive() }),
      query: z.object({ sort: z.enum(['name', 'date']).default('name'), page: z.coerce.number().default(1) }),
      headers: z.object({ 'x-tenant': z.string().min(1) }),
    },
    handler: (ctx) => ({
      id: ctx.params.id,
      sort: ctx.query.sort,
      page: ctx.query.page,
      tenant: ctx.headers['x-tenant'],
    }),
  });

  it('passes parsed, typed values to the handler', async () => {
    const res = await app.request('/items/7?page=3', { headers: { 'x-tenant': 'acme' } });
    expect(await readJson(res)).toEqual({ id: 7, sort: 'name', page: 3, tenant: 'acme' });
  });

  it('answers a failure with 400 problem+json listing path, message and code', async () => {
    const res = await app.request('/items/abc?sort=evil', { headers: { 'x-tenant': 'acme' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const problem = await readJson(res);
    expect(problem).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'FW_ERR_VALIDATION',
    });
    expect(problem.issues).toEqual([{ path: ['params', 'id'], message: expect.any(String), code: 'invalid_type' }]);
  });

  it('validates the query and headers too', async () => {
    const query = await readJson(await app.request('/items/1?sort=evil', { headers: { 'x-tenant': 'acme' } }));
    expect(query.issues[0]).toMatchObject({ path: ['query', 'sort'], code: 'invalid_value' });
    const headers = await readJson(await app.request('/items/1'));
    expect(headers.issues[0]).toMatchObject({ path: ['headers', 'x-tenant'] });
  });

  it('rejects type confusion in the body (BD-11)', async () => {
    const app2 = createApp({ logger: false });
    app2.post('/login', {
      schema: { body: z.object({ email: z.email() }) },
      handler: (ctx) => ctx.body.email,
    });
    const res = await app2.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":{"$gt":""}}',
    });
    expect(res.status).toBe(400);
    const dup = await app.request('/items/1?page=1&page=2', { headers: { 'x-tenant': 'acme' } });
    expect(dup.status).toBe(400);
  });

  it('lets the app reshape validation errors in onError', async () => {
    const app2 = createApp({ logger: false });
    app2.get('/n/:n', { schema: { params: z.object({ n: z.coerce.number() }) }, handler: (ctx) => ctx.params.n });
    app2.onError((error, ctx) => {
      if (isValidationError(error)) return ctx.json({ errors: error.issues.map((issue) => issue.path.join('.')) }, 422);
      return undefined;
    });
    const res = await app2.request('/n/x');
    expect(res.status).toBe(422);
    expect(await readJson(res)).toEqual({ errors: ['params.n'] });
  });
});

describe('any Standard Schema library works', () => {
  // A minimal schema written against the Standard Schema interface alone, as valibot or arktype expose it.
  const evenParams: StandardSchemaV1<unknown, { n: number }> = {
    '~standard': {
      version: 1,
      vendor: 'handmade',
      validate: (value) => {
        const n = Number((value as { n?: unknown }).n);
        return Number.isInteger(n) && n % 2 === 0
          ? { value: { n } }
          : { issues: [{ message: 'must be an even integer', path: [{ key: 'n' }] }] };
      },
    },
  };
  const asyncSchema: StandardSchemaV1<unknown, string> = {
    '~standard': {
      version: 1,
      vendor: 'handmade',
      validate: async (value) =>
        typeof value === 'string' ? { value: value.toUpperCase() } : { issues: [{ message: 'string' }] },
    },
  };
  const app = createApp({ logger: false });
  app.get('/even/:n', { schema: { params: evenParams }, handler: (ctx) => ({ n: ctx.params.n }) });
  app.post('/shout', { schema: { body: asyncSchema }, handler: (ctx) => ctx.body });

  it('validates with a non-zod schema', async () => {
    expect(await readJson(await app.request('/even/4'))).toEqual({ n: 4 });
    const res = await app.request('/even/3');
    expect(res.status).toBe(400);
    expect((await readJson(res)).issues[0]).toEqual({
      path: ['params', 'n'],
      message: 'must be an even integer',
      code: 'invalid',
    });
  });

  it('awaits asynchronous schemas', async () => {
    const res = await app.request('/shout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '"hi"',
    });
    expect(await res.text()).toBe('HI');
  });
});

describe('response schemas', () => {
  const User = z.object({ id: z.number(), email: z.string() });
  const app = createApp({ logger: false, exposeErrors: true });
  const rows = new Map([[1, { id: 1, email: 'ada@example.com', passwordHash: '$argon2id$secret' }]]);
  app.get('/users/:id', {
    schema: {
      params: z.object({ id: z.coerce.number() }),
      response: { 200: User, 404: z.object({ message: z.string() }) },
    },
    handler: (ctx) => {
      const row = rows.get(ctx.params.id);
      if (!row) return ctx.json({ message: 'no such user' }, 404);
      return row;
    },
  });
  // @ts-expect-error the handler returns a body its schema rejects, which is also a runtime error
  app.get('/broken', {
    schema: { response: { 200: User } },
    handler: () => ({ id: 'not a number', email: 'x' }),
  });

  it('strips fields the schema does not declare', async () => {
    const res = await app.request('/users/1');
    expect(await readJson(res)).toEqual({ id: 1, email: 'ada@example.com' });
  });

  it('checks bodies sent with ctx.json() against the schema of their status', async () => {
    const res = await app.request('/users/2');
    expect(res.status).toBe(404);
    expect(await readJson(res)).toEqual({ message: 'no such user' });
  });

  it('answers 500 when a handler breaks its own response schema', async () => {
    const res = await app.request('/broken');
    expect(res.status).toBe(500);
    const problem = await readJson(res);
    expect(problem.code).toBe('FW_ERR_RESPONSE_VALIDATION');
    expect(problem.detail).toContain('GET /broken returned a 200 body that its response schema rejects at id');
  });
});
