import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, type StandardSchemaV1 } from '../src/index.ts';
import { compileSerializer } from '../src/internal/serializer.ts';
import { readJson } from './helpers.ts';

describe('compiled response serializers', () => {
  const User = z.object({
    id: z.number().int(),
    email: z.string(),
    admin: z.boolean(),
    tags: z.array(z.string()).optional(),
    role: z.enum(['user', 'admin']),
    manager: z.object({ id: z.number() }).nullable(),
    note: z.string().nullable().optional(),
  });

  it('writes only declared fields, in JSON that parses back to the same value', () => {
    const serialize = compileSerializer(User)!;
    expect(serialize).toBeTypeOf('function');
    const row = {
      id: 1,
      email: 'a"b\\c\n\u2028@example.com',
      admin: false,
      tags: ['x', 'y'],
      role: 'user',
      manager: { id: 2, salary: 100 },
      passwordHash: '$argon2id$secret',
    };
    const json = serialize(row);
    expect(json).not.toContain('passwordHash');
    expect(json).not.toContain('salary');
    expect(JSON.parse(json)).toEqual({
      id: 1,
      email: 'a"b\\c\n\u2028@example.com',
      admin: false,
      tags: ['x', 'y'],
      role: 'user',
      manager: { id: 2 },
    });
    expect(JSON.parse(serialize({ ...row, tags: undefined, manager: null, note: null }))).toMatchObject({
      manager: null,
      note: null,
    });
  });

  it('refuses values of the wrong JSON type, naming where', () => {
    const serialize = compileSerializer(User)!;
    const ok = { id: 1, email: 'e', admin: true, role: 'admin', manager: null };
    expect(() => serialize({ ...ok, id: '1' })).toThrow('at id should be a finite number but is string');
    expect(() => serialize({ ...ok, role: 'root' })).toThrow('at role should be "user" or "admin"');
    expect(() => serialize({ ...ok, manager: { id: Number.NaN } })).toThrow('at manager.id should be a finite number');
    expect(() => serialize({ ...ok, tags: [1] })).toThrow('at tags[0] should be a string');
    expect(() => serialize({ id: 1 })).toThrow('at email should be present');
  });

  it('declines schemas it cannot express, so the schema validates instead', () => {
    expect(compileSerializer(z.object({ at: z.date() }))).toBeUndefined();
    expect(compileSerializer(z.object({ n: z.string().transform((v) => v.length) }))).toBeUndefined();
    expect(compileSerializer(z.record(z.string(), z.number()))).toBeUndefined();
    expect(compileSerializer(z.union([z.string(), z.number()]))).toBeUndefined();
    const plain: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'x', validate: (value) => ({ value }) } };
    expect(compileSerializer(plain)).toBeUndefined();
  });
});

describe('response schemas in production use the compiled serializer', () => {
  const app = createApp({ logger: false, exposeErrors: false, validateResponses: false });
  app.get('/users/:id', {
    schema: { response: { 200: z.object({ id: z.string(), email: z.email() }) } },
    handler: (ctx) => ({ id: ctx.params.id, email: `${ctx.params.id}@example.com`, passwordHash: 'secret' }),
  });
  app.get('/dates', {
    schema: { response: { 200: z.object({ at: z.date().transform((d) => d.toISOString()) }) } },
    handler: () => ({ at: new Date(0) }),
  });
  app.get('/extra', {
    schema: { response: { 200: z.object({ id: z.number() }) } },
    handler: () => ({ id: 1, extra: 'x' }),
  });

  it('strips undeclared fields', async () => {
    expect(await readJson(await app.request('/users/7'))).toEqual({ id: '7', email: '7@example.com' });
  });

  it('falls back to the schema for shapes it cannot compile', async () => {
    expect(await readJson(await app.request('/dates'))).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('still drops extra fields on a route whose body matches', async () => {
    expect(await readJson(await app.request('/extra'))).toEqual({ id: 1 });
  });
});
