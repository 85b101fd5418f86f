import { describe, expect, it } from 'vitest';
import { createApp, HttpError, isHttpError, NotFoundError } from '../src/index.ts';
import { readJson } from './helpers.ts';

const quiet = { logger: false } as const;

describe('handlers: the returned value is the response', () => {
  const app = createApp(quiet);
  app.get('/object', () => ({ hello: 'world' }));
  app.get('/array', () => [1, 2, 3]);
  app.get('/string', () => 'plain text');
  app.get('/nothing', () => undefined);
  app.get('/null', () => null);
  app.get('/number', () => 42);
  app.get('/bytes', () => new Uint8Array([1, 2, 3]));
  app.get('/web-response', () => new Response('from a Response', { status: 202, headers: { 'x-kind': 'web' } }));
  app.get('/status', (ctx) => ctx.status(202).header('x-custom', 'yes') && { accepted: true });
  app.post('/created', { status: 201, handler: () => ({ id: 1 }) });
  app.get('/async', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { late: true };
  });

  it('serialises objects and arrays as JSON with status 200', async () => {
    const res = await app.request('/object');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await readJson(res)).toEqual({ hello: 'world' });
    expect(await readJson(await app.request('/array'))).toEqual([1, 2, 3]);
  });

  it('sends strings as text/plain', async () => {
    const res = await app.request('/string');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('plain text');
  });

  it('answers undefined with 204 and no body', async () => {
    const res = await app.request('/nothing');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('sends null and numbers as JSON', async () => {
    expect(await (await app.request('/null')).text()).toBe('null');
    expect(await readJson(await app.request('/number'))).toBe(42);
  });

  it('sends bytes as application/octet-stream', async () => {
    const res = await app.request('/bytes');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('passes a Web Response through', async () => {
    const res = await app.request('/web-response');
    expect(res.status).toBe(202);
    expect(res.headers.get('x-kind')).toBe('web');
    expect(await res.text()).toBe('from a Response');
  });

  it('applies ctx.status() and ctx.header() to a returned value', async () => {
    const res = await app.request('/status');
    expect(res.status).toBe(202);
    expect(res.headers.get('x-custom')).toBe('yes');
  });

  it('uses the route status for a plain value', async () => {
    const res = await app.request('/created', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await readJson(res)).toEqual({ id: 1 });
  });

  it('awaits async handlers', async () => {
    expect(await readJson(await app.request('/async'))).toEqual({ late: true });
  });
});

describe('response helpers', () => {
  const app = createApp(quiet);
  app.get('/json', (ctx) => ctx.json({ ok: true }, 202, { 'x-extra': '1' }));
  app.get('/html', (ctx) => ctx.html('<h1>hi</h1>'));
  app.get('/text', (ctx) => ctx.text('hey', 418));
  app.get('/redirect', (ctx) => ctx.redirect('/elsewhere'));
  app.get('/moved', (ctx) => ctx.redirect('https://example.com/new', 301, { allowExternal: true }));
  app.get('/evil-redirect', (ctx) => ctx.redirect(`/x${ctx.query.to}`));
  app.get('/evil-header', (ctx) => {
    ctx.header('x-echo', String(ctx.query.v));
    return 'ok';
  });
  app.get('/stream', (ctx) =>
    ctx.stream(
      (async function* () {
        yield 'a';
        yield new TextEncoder().encode('b');
        yield 'c';
      })(),
      { type: 'text/plain; charset=utf-8' },
    ),
  );

  it('builds JSON, HTML and text replies with status and headers', async () => {
    const json = await app.request('/json');
    expect(json.status).toBe(202);
    expect(json.headers.get('x-extra')).toBe('1');
    expect(await readJson(json)).toEqual({ ok: true });
    const html = await app.request('/html');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toBe('<h1>hi</h1>');
    const text = await app.request('/text');
    expect(text.status).toBe(418);
  });

  it('redirects with 302 by default', async () => {
    const res = await app.request('/redirect', { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere');
    expect((await app.request('/moved')).status).toBe(301);
  });

  it('refuses to split a redirect or a header with CR/LF from user data (HD-04)', async () => {
    const redirect = await app.request(`/evil-redirect?to=${encodeURIComponent('\r\nSet-Cookie: x=1')}`);
    expect(redirect.status).toBe(400);
    expect(redirect.headers.get('set-cookie')).toBeNull();
    const header = await app.request(`/evil-header?v=${encodeURIComponent('a\r\nSet-Cookie: x=1')}`);
    expect(header.status).toBe(400);
    expect(header.headers.get('set-cookie')).toBeNull();
  });

  it('streams an async generator', async () => {
    const res = await app.request('/stream');
    expect(await res.text()).toBe('abc');
  });
});

describe('routing answers', () => {
  const app = createApp(quiet);
  app.get('/users/:id', (ctx) => ({ id: ctx.params.id }));
  app.post('/users/:id', () => 'posted');
  app.get('/files/*', (ctx) => ({ rest: ctx.params['*'] }));
  app.all('/any', (ctx) => ({ method: ctx.method }));
  app.options('/custom-options', () => 'custom');

  it('extracts and percent-decodes params', async () => {
    expect(await readJson(await app.request('/users/42'))).toEqual({ id: '42' });
    expect(await readJson(await app.request('/users/J%C3%BCrgen'))).toEqual({ id: 'Jürgen' });
    expect(await readJson(await app.request('/files/a/b/c.txt'))).toEqual({ rest: 'a/b/c.txt' });
  });

  it('answers 404 as problem+json', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await readJson(res)).toMatchObject({ status: 404, title: 'Not Found', code: 'FW_ERR_NOT_FOUND' });
  });

  it('answers 405 with Allow when the path exists for other methods', async () => {
    const res = await app.request('/users/1', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('answers OPTIONS with 204 and Allow unless a route handles it', async () => {
    const res = await app.request('/users/1', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    expect(await (await app.request('/custom-options', { method: 'OPTIONS' })).text()).toBe('custom');
  });

  it('answers HEAD from GET without a body', async () => {
    const res = await app.request('/users/7', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('answers HEAD from GET before an all() route', async () => {
    const app2 = createApp({ logger: false });
    app2.all('/x', () => 'all');
    app2.get('/x', (ctx) => ctx.text('get', 200, { 'x-from': 'get' }));
    const res = await app2.request('/x', { method: 'HEAD' });
    expect(res.headers.get('x-from')).toBe('get');
  });

  it('routes app.all() for every method', async () => {
    expect(await readJson(await app.request('/any', { method: 'PATCH' }))).toEqual({ method: 'PATCH' });
    expect(await readJson(await app.request('/any', { method: 'DELETE' }))).toEqual({ method: 'DELETE' });
  });

  it('answers invalid percent-encoding with 400, not 500 (RT-05)', async () => {
    const res = await app.request('/users/%E0%A4%A');
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('FW_ERR_BAD_PATH');
  });

  it('ignores X-HTTP-Method-Override (RT-07)', async () => {
    const res = await app.request('/users/1', { method: 'POST', headers: { 'x-http-method-override': 'DELETE' } });
    expect(await res.text()).toBe('posted');
  });

  it('gives each concurrent request its own params (RT-06)', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => String(i));
    const results = await Promise.all(ids.map(async (id) => (await readJson(await app.request(`/users/${id}`))).id));
    expect(results).toEqual(ids);
  });

  it('rejects conflicting routes at registration, naming both', () => {
    expect(() => app.get('/users/:name', () => 'x')).toThrow(/\/users\/:name.*\/users\/:id/);
  });
});

describe('app.route() and app.group()', () => {
  const app = createApp(quiet);
  app.route({
    method: 'POST',
    path: '/api/things',
    status: 201,
    handler: () => ({ made: true }),
    meta: { description: 'Create a thing', tags: ['things'] },
  });
  app.route({ method: ['GET', 'PUT'], path: '/both', handler: (ctx) => ctx.method });
  app.group('/v1', (v1) => {
    v1.get('/ping', () => 'pong');
    v1.group('/admin', (admin) => {
      admin.get('/', () => 'admin home');
      admin.get('/users/:id', (ctx) => ctx.params.id);
    });
  });

  it('registers a route declared in one object, with its metadata', async () => {
    const res = await app.request('/api/things', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(app.routes()).toContainEqual({
      method: 'POST',
      path: '/api/things',
      meta: { description: 'Create a thing', tags: ['things'] },
      middlewares: 0,
      schemas: [],
      options: [],
    });
  });

  it('registers several methods at once', async () => {
    expect(await (await app.request('/both', { method: 'PUT' })).text()).toBe('PUT');
    expect(await (await app.request('/both')).text()).toBe('GET');
  });

  it('prefixes grouped routes, nested', async () => {
    expect(await (await app.request('/v1/ping')).text()).toBe('pong');
    expect(await (await app.request('/v1/admin')).text()).toBe('admin home');
    expect(await (await app.request('/v1/admin/users/9')).text()).toBe('9');
  });
});

describe('errors', () => {
  it('turns an HttpError into its status with an exposed message', async () => {
    const app = createApp(quiet);
    app.get('/missing', () => {
      throw new NotFoundError('No such thing; check the id.');
    });
    app.get('/teapot', () => {
      throw new HttpError(418, 'short and stout', { code: 'TEAPOT', headers: { 'x-tea': 'earl grey' } });
    });
    const missing = await app.request('/missing');
    expect(missing.status).toBe(404);
    expect(await readJson(missing)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No such thing; check the id.',
      code: 'FW_ERR_HTTP_404',
    });
    const teapot = await app.request('/teapot');
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('x-tea')).toBe('earl grey');
    expect((await readJson(teapot)).code).toBe('TEAPOT');
  });

  it('hides the message and stack of unexpected errors in production (HD-08)', async () => {
    const app = createApp({ logger: false, exposeErrors: false });
    app.get('/boom', () => {
      throw new Error('password=hunter2 at /srv/app/db.ts');
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('/srv/app');
    expect(JSON.parse(text)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
    });
  });

  it('shows the message and stack in development', async () => {
    const app = createApp({ logger: false, exposeErrors: true });
    app.get('/boom', async () => {
      throw new Error('db exploded');
    });
    const body = await readJson(await app.request('/boom'));
    expect(body.detail).toBe('db exploded');
    expect(body.stack[0]).toContain('Error: db exploded');
  });

  it('logs unexpected errors', async () => {
    const lines: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (fields: Record<string, unknown>, message: string) =>
        lines.push(`${message} ${(fields.err as Error | undefined)?.message}`),
    };
    const app = createApp({ logger });
    app.get('/boom', () => {
      throw new Error('kaput');
    });
    await app.request('/boom');
    expect(lines).toEqual(['unhandled error in a request kaput']);
  });

  it('lets app.onError answer, or fall back to the default', async () => {
    const app = createApp(quiet);
    app.get('/teapot', () => {
      throw new HttpError(418);
    });
    app.get('/other', () => {
      throw new Error('x');
    });
    app.onError((error, ctx) => {
      if (isHttpError(error) && error.status === 418) return ctx.json({ custom: true, status: error.status }, 418);
      return undefined;
    });
    const custom = await app.request('/teapot');
    expect(custom.status).toBe(418);
    expect(await readJson(custom)).toEqual({ custom: true, status: 418 });
    expect((await app.request('/other')).status).toBe(500);
  });

  it('gives a plain value from onError the error status', async () => {
    const app = createApp(quiet);
    app.get('/gone', () => {
      throw new HttpError(410);
    });
    app.onError(() => ({ message: 'gone for good' }));
    const res = await app.request('/gone');
    expect(res.status).toBe(410);
    expect(await readJson(res)).toEqual({ message: 'gone for good' });
  });

  it('answers 500 when onError itself throws', async () => {
    const app = createApp({ logger: false, exposeErrors: false });
    app.get('/x', () => {
      throw new HttpError(400);
    });
    app.onError(() => {
      throw new Error('handler broke');
    });
    const res = await app.request('/x');
    expect(res.status).toBe(500);
  });

  it('uses app.notFound() for unmatched paths', async () => {
    const app = createApp(quiet);
    app.notFound((ctx) => ctx.html(`<p>${ctx.path} is not here</p>`));
    const res = await app.request('/nowhere');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('<p>/nowhere is not here</p>');
  });
});

describe('app.fetch() serves Web requests', () => {
  it('answers a Request with a Response, keeping the URL, method, headers and body', async () => {
    const app = createApp({ logger: false });
    app.post('/echo/:id', (ctx) => ({
      id: ctx.params.id,
      url: ctx.url.href,
      secure: ctx.url.protocol,
      header: ctx.headers['x-test'],
      body: ctx.body as unknown,
    }));
    const res = await app.fetch(
      new Request('https://api.example.com/echo/5?x=1', {
        method: 'POST',
        headers: { 'x-test': 'yes', 'content-type': 'application/json' },
        body: '{"a":1}',
      }),
    );
    expect(res).toBeInstanceOf(Response);
    expect(await res.json()).toEqual({
      id: '5',
      url: 'https://api.example.com/echo/5?x=1',
      secure: 'https:',
      header: 'yes',
      body: { a: 1 },
    });
  });
});

describe('thenable handler results', () => {
  it('awaits a returned thenable (a query builder) like a promise, result and rejection alike', async () => {
    const app = createApp({ logger: false });
    const lazy = (value: unknown, fail = false): PromiseLike<unknown> => ({
      // biome-ignore lint/suspicious/noThenProperty: the point of the test is a non-Promise thenable.
      then: (resolve, reject) =>
        Promise.resolve().then(() => (fail ? reject?.(new Error('query failed')) : resolve?.(value))) as never,
    });
    app.get('/rows', () => lazy([{ id: 1 }]));
    app.get('/fails', () => lazy(null, true));
    expect(await (await app.request('/rows')).json()).toEqual([{ id: 1 }]);
    expect((await app.request('/fails')).status).toBe(500);
  });
});
