import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../src/index.ts';
import { readJson } from './helpers.ts';

const json = (body: string, type = 'application/json') => ({ method: 'POST', headers: { 'content-type': type }, body });

describe('request bodies, parsed on first read by Content-Type', () => {
  const app = createApp({ logger: false, bodyLimit: 1024 });
  app.post('/echo', (ctx) => ({ body: ctx.body as unknown }));
  app.post('/kind', (ctx) => {
    const body = ctx.body;
    return {
      type: body instanceof Uint8Array ? 'bytes' : typeof body,
      body: body instanceof Uint8Array ? [...body] : body,
    };
  });
  app.post('/ignore', () => 'did not read the body');
  app.post('/big', { bodyLimit: 4096, handler: (ctx) => ({ length: (ctx.rawBody ?? new Uint8Array()).length }) });

  it('parses JSON, including +json types and any casing of the media type', async () => {
    expect(await readJson(await app.request('/echo', json('{"a":1}')))).toEqual({ body: { a: 1 } });
    expect(await readJson(await app.request('/echo', json('[1]', 'application/vnd.api+json')))).toEqual({ body: [1] });
    expect(await (await app.request('/echo', json('{"a":2}', 'Application/JSON; charset=UTF-8'))).json()).toEqual({
      body: { a: 2 },
    });
  });

  it('parses urlencoded forms into arrays for repeated keys', async () => {
    const res = await app.request(
      '/echo',
      json('name=Ada+Lovelace&tag=a&tag=b&empty=', 'application/x-www-form-urlencoded'),
    );
    expect(await readJson(res)).toEqual({ body: { name: 'Ada Lovelace', tag: ['a', 'b'], empty: '' } });
  });

  it('reads text as a string and octet-stream as bytes', async () => {
    expect(await readJson(await app.request('/kind', json('héllo', 'text/plain')))).toEqual({
      type: 'string',
      body: 'héllo',
    });
    const bytes = await app.request('/kind', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255]),
    });
    expect(await readJson(bytes)).toEqual({ type: 'bytes', body: [0, 255] });
  });

  it('answers malformed JSON with 400 and the reason', async () => {
    const res = await app.request('/echo', json('{"a":'));
    expect(res.status).toBe(400);
    const problem = await readJson(res);
    expect(problem.code).toBe('FW_ERR_INVALID_JSON');
    expect(problem.detail).toMatch(/^The request body is not valid JSON: /);
  });

  it('refuses prototype poisoning in JSON with 400', async () => {
    const proto = await app.request('/echo', json('{"__proto__":{"isAdmin":true}}'));
    expect(proto.status).toBe(400);
    const ctor = await app.request('/echo', json('{"constructor":{"prototype":{"isAdmin":true}}}'));
    expect(ctor.status).toBe(400);
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it('answers an empty JSON body with 400 (BD-07)', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '0' },
      body: '',
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('FW_ERR_EMPTY_JSON');
    const spaces = await app.request('/echo', json('   '));
    expect(spaces.status).toBe(400);
    expect((await readJson(spaces)).code).toBe('FW_ERR_EMPTY_JSON');
  });

  it('answers invalid UTF-8 in JSON with 400 (BD-08)', async () => {
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x22, 0xc3, 0x28, 0x22]),
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('FW_ERR_INVALID_UTF8');
  });

  it('answers deeply nested JSON with 400, not a crash (BD-05)', async () => {
    const app2 = createApp({ logger: false, bodyLimit: 1024 * 1024 });
    app2.post('/echo', (ctx) => ({ ok: ctx.body !== undefined }));
    const res = await app2.request('/echo', json(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    expect([200, 400]).toContain(res.status);
    expect(res.status).not.toBe(500);
  });

  it('answers a body over the limit with 413, also without Content-Length', async () => {
    const res = await app.request('/echo', json(JSON.stringify({ a: 'x'.repeat(2000) })));
    expect(res.status).toBe(413);
    expect((await readJson(res)).code).toBe('FW_ERR_BODY_TOO_LARGE');
    const chunked = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`"${'x'.repeat(800)}`));
          controller.enqueue(new TextEncoder().encode(`${'x'.repeat(800)}"`));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('lets a route raise its own limit', async () => {
    const res = await app.request('/big', json('x'.repeat(3000), 'text/plain'));
    expect(await readJson(res)).toEqual({ length: 3000 });
  });

  it('answers an unknown or missing Content-Type with 415 when the body is read', async () => {
    const res = await app.request('/echo', json('<a/>', 'application/xml'));
    expect(res.status).toBe(415);
    expect((await readJson(res)).detail).toContain('application/xml');
    const none = await app.request('/echo', { method: 'POST', body: new Uint8Array([1, 2]) });
    expect(none.status).toBe(415);
  });

  it('does not parse a body the handler never reads', async () => {
    const res = await app.request('/ignore', json('{not json', 'application/json'));
    expect(await res.text()).toBe('did not read the body');
  });

  it('caps the number of form parameters (BD-09)', async () => {
    const app2 = createApp({ logger: false });
    app2.post('/form', (ctx) => ({ keys: Object.keys(ctx.body as object).length }));
    const res = await app2.request(
      '/form',
      json(Array.from({ length: 5000 }, (_, i) => `k${i}=1`).join('&'), 'application/x-www-form-urlencoded'),
    );
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('FW_ERR_TOO_MANY_PARAMS');
  });

  it('gives form and query objects a null prototype', async () => {
    const app2 = createApp({ logger: false });
    app2.post('/form', (ctx) => ({
      proto: Object.getPrototypeOf(ctx.body) === null,
      queryProto: Object.getPrototypeOf(ctx.query) === null,
      polluted: ({} as Record<string, unknown>).x,
    }));
    const res = await app2.request(
      '/form?__proto__[x]=1',
      json('__proto__=1&constructor=2', 'application/x-www-form-urlencoded'),
    );
    expect(await readJson(res)).toEqual({ proto: true, queryProto: true });
  });
});

describe('bodies with a schema', () => {
  const app = createApp({ logger: false });
  app.post('/users', {
    schema: { body: z.object({ name: z.string().min(2), role: z.literal('user').default('user') }) },
    handler: (ctx) => ctx.body,
  });

  it('accepts JSON and urlencoded bodies', async () => {
    expect(await readJson(await app.request('/users', json('{"name":"Ada"}')))).toEqual({ name: 'Ada', role: 'user' });
    expect(await readJson(await app.request('/users', json('name=Ada', 'application/x-www-form-urlencoded')))).toEqual({
      name: 'Ada',
      role: 'user',
    });
  });

  it('answers a JSON body sent as text/plain with 415 (BD-06)', async () => {
    const res = await app.request('/users', json('{"name":"Ada"}', 'text/plain'));
    expect(res.status).toBe(415);
  });

  it('answers a missing body with 400 from the schema', async () => {
    const res = await app.request('/users', { method: 'POST' });
    expect(res.status).toBe(400);
    expect((await readJson(res)).issues[0]?.path).toEqual(['body']);
  });

  it('keeps the last of duplicate JSON keys and validates it (BD-10)', async () => {
    const res = await app.request('/users', json('{"name":"Ada","role":"user","role":"admin"}'));
    expect(res.status).toBe(400);
  });
});
