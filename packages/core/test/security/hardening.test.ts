import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/create-app.ts';
import { HttpError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import { isPrototypeKey, normalizeRequestPath } from '../../src/security/hardening.ts';
import { readJson } from '../helpers.ts';

// What a user would see if a request polluted a prototype: a property on every object.
function pollutedProperties(): unknown[] {
  const probe: Record<string, unknown> = {};
  return [probe.x, probe.polluted, probe.admin, Reflect.get(Object.prototype, 'x')];
}

afterEach(() => {
  // A failing test must not leave pollution behind for the next one.
  for (const key of ['x', 'polluted', 'admin']) Reflect.deleteProperty(Object.prototype, key);
});

const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
});

describe('query string and form limits', () => {
  const app = createApp({ logger: false });
  app.get('/q', (ctx) => ({ count: Object.keys(ctx.query).length, id: ctx.query.id ?? null }));
  app.post('/form', (ctx) => ({ count: Object.keys(ctx.body as object).length }));

  it('parses keys flat: a[b]=1 is the key "a[b]", never a nested object', async () => {
    const app2 = createApp({ logger: false });
    app2.get('/q', (ctx) => ({ query: { ...ctx.query } }));
    const res = await app2.request('/q?a[b][c][d][e][f]=1&a.b=2');
    expect(await readJson(res)).toEqual({ query: { 'a[b][c][d][e][f]': '1', 'a.b': '2' } });
  });

  it('answers 400 to a query with more than 1000 parameters', async () => {
    const query = Array.from({ length: 1001 }, (_, i) => `k${i}=1`).join('&');
    const res = await app.request(`/q?${query}`);
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('FW_ERR_TOO_MANY_PARAMS');
    const ok = await app.request(`/q?${Array.from({ length: 1000 }, (_, i) => `k${i}=1`).join('&')}`);
    expect(await readJson(ok)).toMatchObject({ count: 1000 });
  });

  it('answers 400 to one key repeated more than 100 times', async () => {
    const res = await app.request(`/q?${'id=1&'.repeat(101)}`);
    expect(res.status).toBe(400);
    expect((await readJson(res)).detail).toContain('repeats the key "id" more than 100 times');
    const ok = await app.request(`/q?${'id=1&'.repeat(100)}`);
    expect(((await readJson(ok)).id as string[]).length).toBe(100);
  });

  it('answers a urlencoded body of 100 000 params, or a[]= x 10 000, with 400 in bounded time (BD-09)', async () => {
    const started = Date.now();
    const many = await app.request('/form', form('a&'.repeat(100_000)));
    expect(many.status).toBe(400);
    const brackets = await app.request('/form', form('a[]=1&'.repeat(10_000)));
    expect(brackets.status).toBe(400);
    // Without '=' in a 1 MiB body, a search per pair for the next '=' would rescan the rest each time.
    const noEquals = await app.request(
      '/form',
      form(`${Array.from({ length: 900 }, (_, i) => `k${i}&`).join('')}${'b'.repeat(1_000_000)}`),
    );
    expect(noEquals.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('takes its limits from createApp({ query }), and Infinity turns them off', async () => {
    const loose = createApp({
      logger: false,
      query: { maxParams: Infinity, maxArrayLength: Infinity },
      server: { maxUrlLength: Infinity },
    });
    loose.get('/q', (ctx) => ({ count: Object.keys(ctx.query).length, ids: (ctx.query.id as string[]).length }));
    const query = `${Array.from({ length: 2000 }, (_, i) => `k${i}=1`).join('&')}&${'id=1&'.repeat(500)}`;
    expect(await readJson(await loose.request(`/q?${query}`))).toEqual({ count: 2001, ids: 500 });
    const strict = createApp({ logger: false, query: { maxParams: 2 } });
    strict.get('/q', (ctx) => ({ query: { ...ctx.query } }));
    expect((await strict.request('/q?a=1&b=2&c=3')).status).toBe(400);
  });
});

describe('prototype pollution', () => {
  it('drops __proto__, constructor and prototype keys from the query; Object.prototype is unchanged', async () => {
    const app = createApp({ logger: false });
    app.get('/q', (ctx) => {
      const merged = Object.assign({}, ctx.query);
      return { keys: Object.keys(ctx.query), proto: Object.getPrototypeOf(ctx.query) === null, merged };
    });
    const res = await app.request(
      '/q?__proto__[x]=1&__proto__=a&__proto__=b&constructor[prototype][polluted]=1&a.constructor.prototype.admin=1&ok=1',
    );
    expect(await readJson(res)).toEqual({ keys: ['ok'], proto: true, merged: { ok: '1' } });
    expect(pollutedProperties()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('keeps those keys as plain own properties when dropPrototypeKeys is off', async () => {
    const app = createApp({ logger: false, query: { dropPrototypeKeys: false } });
    app.get('/q', (ctx) => ({ keys: Object.keys(ctx.query), proto: Object.getPrototypeOf(ctx.query) === null }));
    const res = await app.request('/q?__proto__[x]=1&constructor=1');
    expect(await readJson(res)).toEqual({ keys: ['__proto__[x]', 'constructor'], proto: true });
    expect(pollutedProperties()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('answers 400 to __proto__ and constructor.prototype in a JSON body', async () => {
    const app = createApp({ logger: false });
    let calls = 0;
    app.post('/json', (ctx) => {
      calls++;
      return { body: ctx.body };
    });
    const json = (body: string) =>
      app.request('/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const proto = await json('{"__proto__":{"x":1}}');
    const ctor = await json('{"constructor":{"prototype":{"polluted":true}}}');
    expect([proto.status, ctor.status]).toEqual([400, 400]);
    expect((await readJson(ctor)).code).toBe('FW_ERR_INVALID_JSON');
    expect(calls).toBe(2);
    expect(pollutedProperties()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('drops prototype keys from urlencoded bodies, with or without a schema', async () => {
    const app = createApp({ logger: false });
    app.post('/form', (ctx) => ({ body: Object.assign({}, ctx.body) }));
    const res = await app.request('/form', form('__proto__[admin]=1&constructor[prototype][x]=1&name=Ada'));
    expect(await readJson(res)).toEqual({ body: { name: 'Ada' } });
    expect(pollutedProperties()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('keeps a __proto__ cookie inert in a null-prototype map (CS-04)', async () => {
    const app = createApp({ logger: false });
    app.get('/c', (ctx) => {
      const all = ctx.cookies.all();
      return { proto: Object.getPrototypeOf(all) === null, merged: Object.assign({}, all) };
    });
    const res = await app.request('/c', { headers: { cookie: '__proto__=%7B%22x%22%3A1%7D; constructor=1; a=b' } });
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body.proto).toBe(true);
    expect(pollutedProperties()).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('keys prototype checks on segments, not substrings', () => {
    expect(['__proto__', 'a[__proto__]', 'x.constructor', 'prototype[y]'].map(isPrototypeKey)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['constructorName', 'my_prototype', 'proto'].map(isPrototypeKey)).toEqual([false, false, false]);
  });
});

describe('path normalisation (what the router sees)', () => {
  it('refuses dot-segments, also encoded or next to an encoded slash or a backslash', () => {
    const vectors = [
      '/public/../admin',
      '/public/%2e%2e/admin',
      '/public/%2E%2e/admin',
      '/public/..%2fadmin',
      '/public/..%5Cadmin',
      '/admin%2f..',
      '/a/./b',
      '/a/.',
      '//admin',
      '/a\\b',
      '/a%00b',
    ];
    for (const path of vectors) {
      expect(() => normalizeRequestPath(path), path).toThrow(HttpError);
    }
  });

  it('decodes encoded unreserved characters, keeps %2F encoded, and leaves ordinary paths alone', () => {
    expect(normalizeRequestPath('/%61dmin/%7Euser')).toBe('/admin/~user');
    expect(normalizeRequestPath('/files/a%2Fb')).toBe('/files/a%2Fb');
    expect(normalizeRequestPath('/.well-known/security.txt')).toBe('/.well-known/security.txt');
    expect(normalizeRequestPath('/users/')).toBe('/users/');
    expect(normalizeRequestPath('/a..b/c.')).toBe('/a..b/c.');
  });
});

describe('redirects (HD-03, HD-04)', () => {
  const app = createApp({ logger: false, redirect: { allowedHosts: ['Accounts.Example.com'] } });
  app.get('/go', (ctx) => ctx.redirect(String(ctx.query.to)));
  app.get('/out', (ctx) => ctx.redirect(String(ctx.query.to), 303, { allowExternal: true }));
  app.get('/out-options', (ctx) => ctx.redirect(String(ctx.query.to), { allowExternal: true }));
  const go = (to: string, route = '/go') =>
    app.request(`${route}?to=${encodeURIComponent(to)}`, { headers: { host: 'shop.example' } });

  const vectors = ['//evil.com', '/\\evil.com', 'https:evil.com', '%2F%2Fevil.com', 'javascript:alert(1)'];
  for (const vector of vectors) {
    it(`refuses ${vector} with 400 and no Location`, async () => {
      const res = await go(vector);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect((await readJson(res)).code).toBe('FW_ERR_UNSAFE_REDIRECT');
    });
  }

  it('refuses other hosts and userinfo tricks, and never lets javascript: through even with allowExternal', async () => {
    for (const target of ['https://evil.com/', 'https://shop.example@evil.com/', '\\/evil.com', 'HTTPS://evil.com']) {
      expect((await go(target)).status, target).toBe(400);
    }
    expect((await go('javascript:alert(1)', '/out')).status).toBe(400);
    expect((await go('data:text/html,<script>alert(1)</script>', '/out')).status).toBe(400);
  });

  it('keeps paths, relative references and same-origin absolute URLs working', async () => {
    for (const target of ['/account', '/search?q=a%2Fb&next=//x', 'next', '?page=2', 'https://shop.example/cart']) {
      const res = await go(target);
      expect(res.status, target).toBe(302);
      expect(res.headers.get('location')).toBe(target);
    }
  });

  it('allows another host with { allowExternal: true } or a host from createApp({ redirect: { allowedHosts } })', async () => {
    const out = await go('https://partner.example/welcome', '/out');
    expect([out.status, out.headers.get('location')]).toEqual([303, 'https://partner.example/welcome']);
    expect((await go('https://partner.example/', '/out-options')).status).toBe(302);
    expect((await go('https://accounts.example.com/login')).status).toBe(302);
  });

  it('refuses CR/LF/NUL in a redirect target and in a header value, without splitting the header (HD-04)', async () => {
    const split = await go('/ok\r\nSet-Cookie: x=1');
    expect(split.status).toBe(400);
    expect(split.headers.get('set-cookie')).toBeNull();
    expect((await readJson(split)).code).toBe('FW_ERR_INVALID_REDIRECT');
    const headers = createApp({ logger: false });
    headers.get('/h', (ctx) => ctx.text('x', 200, { 'x-note': String(ctx.query.v) }));
    headers.get('/c', (ctx) => {
      ctx.cookies.set('note', 'ok', { path: String(ctx.query.v) });
      return 'x';
    });
    for (const value of ['a\r\nSet-Cookie: x=1', 'a\nb', 'a\u0000b']) {
      const res = await headers.request(`/h?v=${encodeURIComponent(value)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.get('x-note')).toBeNull();
    }
    const cookie = await headers.request(`/c?v=${encodeURIComponent('/\r\nSet-Cookie: x=1')}`);
    expect(cookie.status).toBe(500);
    expect(cookie.headers.get('set-cookie')).toBeNull();
  });
});

describe('error responses in production (HD-08)', () => {
  it('sends no stack, SQL text or file path in a 500', async () => {
    const errors: string[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (fields, message) => errors.push(`${message} ${String((fields.err as Error | undefined)?.message)}`),
    };
    const app = createApp({ logger, exposeErrors: false });
    app.get('/sql', () => {
      throw new Error('duplicate key value violates unique constraint "users_email_key": INSERT INTO users (email)');
    });
    app.get('/http500', () => {
      throw new HttpError(503, 'SELECT * FROM secrets failed at /srv/app/db.ts:12');
    });
    for (const path of ['/sql', '/http500']) {
      const res = await app.request(path);
      const text = await res.text();
      expect(res.status).toBeGreaterThanOrEqual(500);
      for (const leak of ['INSERT', 'SELECT', 'users_email_key', '/srv/app', 'stack', '.ts']) {
        expect(text, `${path} leaks ${leak}`).not.toContain(leak);
      }
    }
    // The details are in the log for the operator.
    expect(errors.join('\n')).toContain('users_email_key');
  });

  it('shows them with exposeErrors on (development)', async () => {
    const app = createApp({ logger: false, exposeErrors: true });
    app.get('/sql', () => {
      throw new Error('INSERT INTO users failed');
    });
    const body = await readJson(await app.request('/sql'));
    expect(body.detail).toBe('INSERT INTO users failed');
    expect(body.stack.length).toBeGreaterThan(0);
  });
});
