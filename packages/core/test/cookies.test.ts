import { describe, expect, it } from 'vitest';
import { parseCookieHeader, serializeCookie } from '../src/cookies.ts';
import { createApp } from '../src/index.ts';
import { readJson } from './helpers.ts';

describe('reading cookies', () => {
  const app = createApp({
    logger: false,
    cookies: { secret: ['new-key-0123456789abcdef0123456789', 'old-key-0123456789abcdef0123456789'] },
  });
  app.get('/read', (ctx) => ({ all: { ...ctx.cookies.all() }, theme: ctx.cookies.get('theme') ?? null }));
  app.get('/signed', (ctx) => ({ session: ctx.cookies.get('session', { signed: true }) ?? null }));
  app.get('/sign', (ctx) => {
    ctx.cookies.set('session', 'abc123', { signed: true });
    return 'signed';
  });

  it('parses the Cookie header, decoding values and keeping the first duplicate', async () => {
    const res = await app.request('/read', {
      headers: { cookie: 'theme=dark; name=J%C3%BCrgen; theme=light; quoted="v"' },
    });
    expect(await readJson(res)).toEqual({ all: { theme: 'dark', name: 'Jürgen', quoted: 'v' }, theme: 'dark' });
  });

  it('ignores __proto__ and constructor cookies without polluting anything (CS-04)', async () => {
    const map = parseCookieHeader('__proto__=%7B%22x%22%3A1%7D; constructor=1');
    expect(Object.getPrototypeOf(map)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    const res = await app.request('/read', { headers: { cookie: '__proto__=%7B%22x%22%3A1%7D; constructor=1' } });
    expect(res.status).toBe(200);
  });

  it('round-trips a signed cookie and reads a tampered one as absent (CS-07)', async () => {
    const set = (await app.request('/sign')).headers.get('set-cookie')!;
    const value = /session=([^;]+)/.exec(set)![1]!;
    const ok = await app.request('/signed', { headers: { cookie: `session=${value}` } });
    expect(await readJson(ok)).toEqual({ session: 'abc123' });
    const tampered = value.replace('abc123', 'abc124');
    const bad = await app.request('/signed', { headers: { cookie: `session=${tampered}` } });
    expect(await readJson(bad)).toEqual({ session: null });
    const unsigned = await app.request('/signed', { headers: { cookie: 'session=abc123' } });
    expect(await readJson(unsigned)).toEqual({ session: null });
  });

  it('accepts cookies signed with an older key during rotation', async () => {
    const old = createApp({ logger: false, cookies: { secret: 'old-key-0123456789abcdef0123456789' } });
    old.get('/sign', (ctx) => {
      ctx.cookies.set('session', 'legacy', { signed: true });
      return 'ok';
    });
    const set = (await old.request('/sign')).headers.get('set-cookie')!;
    const value = /session=([^;]+)/.exec(set)![1]!;
    expect(await readJson(await app.request('/signed', { headers: { cookie: `session=${value}` } }))).toEqual({
      session: 'legacy',
    });
  });
});

describe('setting cookies', () => {
  it('serialises safe defaults: Path=/, HttpOnly, SameSite=Lax', () => {
    expect(serializeCookie('a', 'b')).toBe('a=b; Path=/; HttpOnly; SameSite=Lax');
    expect(serializeCookie('a', 'b c;d', { maxAge: 60, secure: true, sameSite: 'strict', httpOnly: false })).toBe(
      'a=b%20c%3Bd; Max-Age=60; Path=/; Secure; SameSite=Strict',
    );
  });

  it('sends several Set-Cookie headers and deletes cookies', async () => {
    const app = createApp({ logger: false });
    app.get('/', (ctx) => {
      ctx.cookies.set('one', '1');
      ctx.cookies.set('two', '2', { maxAge: 10 });
      ctx.cookies.delete('old');
      return 'ok';
    });
    const res = await app.request('/');
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(3);
    expect(cookies[0]).toBe('one=1; Path=/; HttpOnly; SameSite=Lax');
    expect(cookies[2]).toMatch(/^old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/; HttpOnly/);
  });

  it('throws on names and attributes that could inject or split the header (CS-05)', () => {
    expect(() => serializeCookie('a;b', 'x')).toThrow(/not a valid token/);
    expect(() => serializeCookie('a\r\n', 'x')).toThrow(/not a valid token/);
    expect(() => serializeCookie('a', 'x', { domain: 'example.com; Secure' })).toThrow(/domain/);
    expect(() => serializeCookie('a', 'x', { path: '/\r\nSet-Cookie: y=1' })).toThrow(/path/);
    expect(() => serializeCookie('a', 'x', { sameSite: 'None; Domain=.parent' as 'none', secure: true })).toThrow(
      /sameSite/,
    );
    expect(() => serializeCookie('a', 'x', { sameSite: 'none' })).toThrow(/requires secure/);
  });

  it('refuses cookies over 4096 bytes at write time (CS-08)', () => {
    expect(() => serializeCookie('big', 'x'.repeat(4100))).toThrow(/over 4096 bytes/);
  });

  it('answers 500 without sending a broken cookie when a handler sets one', async () => {
    const app = createApp({ logger: false });
    app.get('/', (ctx) => {
      ctx.cookies.set('bad;name', 'x');
      return 'ok';
    });
    const res = await app.request('/');
    expect(res.status).toBe(500);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
