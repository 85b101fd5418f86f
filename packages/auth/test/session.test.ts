import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../src/session/session-record.ts';
import { SessionRecords } from '../src/session/session-records.ts';
import { createSessionService } from '../src/session/session-service.ts';
import type { AuthStore } from '../src/store/types.ts';
import { login, makeStore, me, OLD_SECRET, SECRET, STORES, sessionApp, sessionCookie, sleep } from './helpers.ts';

type App = ReturnType<typeof sessionApp>['app'];

/** `cookie` with one bit of character `index` flipped (kept inside the base64url alphabet). */
function flipBit(cookie: string, index: number): string {
  const eq = cookie.indexOf('=') + 1;
  const at = eq + index;
  const flipped = String.fromCharCode(cookie.charCodeAt(at) ^ 1);
  return cookie.slice(0, at) + flipped + cookie.slice(at + 1);
}

async function status(app: App, cookie: string, path = '/me') {
  return (await me(app, cookie, path)).status;
}

describe.each(STORES)('sessions on the %s store', (kind) => {
  it('login opens a session the cookie carries; /me reads it; no cookie is 401', async () => {
    const { app } = sessionApp(kind);
    const { cookie, id } = await login(app, '42');
    const response = await me(app, cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, user: { id: '42', roles: ['admin', 'editor'], name: 'Ada' } });
    const anonymous = await app.request('/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Session realm="test"');
  });

  it('CS-06 over HTTP: HttpOnly, Path=/, SameSite=Lax, no Domain, Max-Age = absolute max, name sid, no Secure', async () => {
    const { app } = sessionApp(kind);
    const { response } = await login(app);
    const { name, header } = sessionCookie(response);
    expect(name).toBe('sid');
    expect(header).toMatch(/; Max-Age=604800(;|$)/);
    expect(header).toMatch(/; Path=\/(;|$)/);
    expect(header).toMatch(/; HttpOnly(;|$)/);
    expect(header).toMatch(/; SameSite=Lax(;|$)/);
    expect(header).not.toMatch(/Domain=/i);
    expect(header).not.toMatch(/Secure/);
  });

  it('CS-06 over HTTPS: the __Host- prefix with Secure, HttpOnly, SameSite, Path=/ and no Domain', async () => {
    const { app } = sessionApp(kind, { cookie: { sameSite: 'strict' } });
    const response = await app.request('https://app.test/login/1', { method: 'POST' });
    const { name, header, pair } = sessionCookie(response);
    expect(name).toBe('__Host-sid');
    expect(header).toMatch(/; Secure(;|$)/);
    expect(header).toMatch(/; HttpOnly(;|$)/);
    expect(header).toMatch(/; SameSite=Strict(;|$)/);
    expect(header).toMatch(/; Path=\/(;|$)/);
    expect(header).not.toMatch(/Domain=/i);
    expect((await app.request('https://app.test/me', { headers: { cookie: pair } })).status).toBe(200);
    // The same value under the plain name, over HTTP, is not the session of an HTTPS app (cookie tossing).
    expect(
      (await app.request('https://app.test/me', { headers: { cookie: `sid=${pair.split('=')[1]}` } })).status,
    ).toBe(401);
  });

  it('secure: true configured: Secure and __Host- even when the app sees plain HTTP (TLS ended at a proxy)', async () => {
    const { app } = sessionApp(kind, { cookie: { secure: true } });
    const { response, cookie } = await login(app);
    const { name, header } = sessionCookie(response);
    expect(name).toBe('__Host-sid');
    expect(header).toMatch(/; Secure(;|$)/);
    expect(await status(app, cookie)).toBe(200);
  });

  it('session fixation: a cookie set before login (even a live session) is not kept; the old session ends', async () => {
    const { app } = sessionApp(kind);
    // The attacker's own live session, planted in the victim's browser.
    const planted = await login(app, 'attacker');
    const victim = await login(app, 'victim', planted.cookie);
    expect(victim.id).not.toBe(planted.id);
    expect(victim.cookie).not.toBe(planted.cookie);
    expect(await status(app, planted.cookie)).toBe(401);
    const mine = await me(app, victim.cookie);
    expect(await mine.json()).toMatchObject({ id: victim.id, user: { id: 'victim' } });
    // A made-up id the attacker wants the victim to use: also replaced.
    const made = await login(app, 'victim', `sid=${'A'.repeat(43)}.${'B'.repeat(43)}`);
    expect(made.id).not.toBe('A'.repeat(43));
  });

  it('a session id in the URL is never read (?sid=)', async () => {
    const { app } = sessionApp(kind);
    const { cookie, id } = await login(app);
    const value = cookie.split('=')[1]!;
    expect((await app.request(`/me?sid=${encodeURIComponent(value)}`)).status).toBe(401);
    expect((await app.request(`/me?sid=${id}`)).status).toBe(401);
    expect((await app.request(`/me;sid=${id}`)).status).not.toBe(200);
  });

  it('CS-07: a cookie with one bit flipped (id or signature), unsigned or truncated is no session: 401, not 500', async () => {
    const { app } = sessionApp(kind);
    const { cookie, id } = await login(app);
    for (const index of [0, 20, 42, 44, 60, 86]) expect(await status(app, flipBit(cookie, index))).toBe(401);
    expect(await status(app, `sid=${id}`)).toBe(401);
    expect(await status(app, cookie.slice(0, -1))).toBe(401);
    expect(await status(app, `${cookie}A`)).toBe(401);
    expect(await status(app, 'sid=')).toBe(401);
    expect(await status(app, cookie)).toBe(200);
  });

  it('key rotation: the first key signs, all verify; a cookie signed with a removed key is no session', async () => {
    const { app, store } = sessionApp(kind, { secret: OLD_SECRET });
    const rotating = createSessionService({ secret: [SECRET, OLD_SECRET] }, store);
    const removed = createSessionService({ secret: [SECRET] }, store);
    app.get('/me-rotating', async (ctx) => ({ user: (await rotating.load(ctx))?.user.id ?? null }));
    app.get('/me-removed', async (ctx) => ({ user: (await removed.load(ctx))?.user.id ?? null }));
    app.get('/id-removed', (ctx) => ({ id: removed.idOf(ctx) ?? null }));
    const { cookie } = await login(app, '7');
    expect(await (await me(app, cookie, '/me-rotating')).json()).toEqual({ user: '7' });
    expect(await (await me(app, cookie, '/me-removed')).json()).toEqual({ user: null });
    expect(await (await me(app, cookie, '/id-removed')).json()).toEqual({ id: null });
  });

  it('idOf: synchronous, the id of a verified cookie only; after login and logout in the same request, the new state', async () => {
    const { app } = sessionApp(kind);
    const { cookie, id, idOf } = await login(app);
    expect(idOf).toBe(id);
    expect(await (await me(app, cookie, '/id')).json()).toEqual({ id });
    expect(await (await me(app, flipBit(cookie, 50), '/id')).json()).toEqual({ id: null });
    const logout = await app.request('/logout', { method: 'POST', headers: { cookie } });
    expect(await logout.json()).toEqual({ idOf: null });
  });

  it('CS-02: logout deletes the record and clears the cookie; replaying the same cookie is 401', async () => {
    const { app, store } = sessionApp(kind);
    const { cookie, id } = await login(app);
    expect(await store.get(`session:${id}`)).toBeDefined();
    const logout = await app.request('/logout', { method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(200);
    const cleared = sessionCookie(logout);
    expect(cleared.value).toBe('');
    expect(cleared.header).toMatch(/Max-Age=0/);
    expect(await store.get(`session:${id}`)).toBeUndefined();
    expect(await status(app, cookie)).toBe(401);
  });

  it('a session whose record is gone from the store (revoked server-side) is 401', async () => {
    const { app, store } = sessionApp(kind);
    const { cookie, id } = await login(app);
    await store.delete(`session:${id}`);
    expect(await status(app, cookie)).toBe(401);
  });

  it('CS-03: "log out other devices" ends the second device, keeps this one; "everywhere" ends all', async () => {
    const { app } = sessionApp(kind);
    const laptop = await login(app, '5');
    const phone = await login(app, '5');
    const other = await login(app, '6');
    const response = await app.request('/logout-others', { method: 'POST', headers: { cookie: laptop.cookie } });
    expect(await response.json()).toEqual({ ended: 1 });
    expect(await status(app, phone.cookie)).toBe(401);
    expect(await status(app, laptop.cookie)).toBe(200);
    expect(await status(app, other.cookie)).toBe(200);
    const everywhere = await app.request('/logout-everywhere/5', { method: 'POST' });
    expect(await everywhere.json()).toEqual({ ended: 1 });
    expect(await status(app, laptop.cookie)).toBe(401);
    expect(await status(app, other.cookie)).toBe(200);
  });

  it('JW-08: a role removed with updateUser is gone on the next request of every session of that user', async () => {
    const { app } = sessionApp(kind);
    const a = await login(app, '9');
    const b = await login(app, '9');
    await app.request('/revoke-roles/9', { method: 'POST' });
    for (const { cookie } of [a, b]) {
      expect(await (await me(app, cookie)).json()).toMatchObject({ user: { id: '9', roles: [] } });
    }
    // A later write of the session (data saved) does not bring the old roles back.
    await app.request('/cart/book', { method: 'POST', headers: { cookie: a.cookie } });
    expect(await (await me(app, a.cookie)).json()).toMatchObject({ user: { roles: [] }, data: { cart: ['book'] } });
  });

  it('save keeps data across requests; a session ended elsewhere is not brought back by a save', async () => {
    const { app, store, sessions } = sessionApp(kind);
    const { cookie, id } = await login(app);
    await app.request('/cart/pen', { method: 'POST', headers: { cookie } });
    await app.request('/cart/ink', { method: 'POST', headers: { cookie } });
    expect(await (await me(app, cookie)).json()).toMatchObject({ data: { cart: ['pen', 'ink'] } });
    let held: Awaited<ReturnType<typeof sessions.load>>;
    app.get('/hold', async (ctx) => {
      held = await sessions.load(ctx);
      return { ok: true };
    });
    await me(app, cookie, '/hold');
    await app.request('/logout', { method: 'POST', headers: { cookie } });
    held!.data.cart = ['late'];
    await sessions.save(held!);
    expect(await store.get(`session:${id}`)).toBeUndefined();
    expect(await status(app, cookie)).toBe(401);
  });

  it('regenerate (privilege change): a new id with the same data; the old cookie is 401', async () => {
    const { app } = sessionApp(kind);
    const { cookie, id } = await login(app);
    await app.request('/cart/pen', { method: 'POST', headers: { cookie } });
    const elevated = await app.request('/elevate', { method: 'POST', headers: { cookie } });
    const body = (await elevated.json()) as { id: string; roles: string[] };
    expect(body.id).not.toBe(id);
    expect(body.roles).toContain('sudo');
    const next = sessionCookie(elevated).pair;
    expect(await (await me(app, next)).json()).toMatchObject({ id: body.id, data: { cart: ['pen'] } });
    expect(await status(app, cookie)).toBe(401);
    // Regenerating the ended session again is refused, not a way back in.
    expect((await app.request('/elevate', { method: 'POST', headers: { cookie } })).status).toBe(401);
  });

  it('idle expiry: unused for maxAge, the session ends and its record is deleted', async () => {
    const { app, store } = sessionApp(kind, { maxAge: '1s', absoluteMaxAge: '1h' });
    const { cookie, id } = await login(app);
    expect(await status(app, cookie)).toBe(200);
    await sleep(1_300);
    expect(await status(app, cookie)).toBe(401);
    expect(await store.get(`session:${id}`)).toBeUndefined();
  });

  it('rolling: each use pushes the idle timeout back, and the cookie is sent again when it rolls', async () => {
    const { app } = sessionApp(kind, { maxAge: '2s', absoluteMaxAge: '1h' });
    const { cookie } = await login(app);
    let rolled = 0;
    for (let i = 0; i < 5; i++) {
      await sleep(700);
      const response = await me(app, cookie);
      expect(response.status).toBe(200);
      if (response.headers.getSetCookie().some((line) => line.startsWith('sid='))) rolled++;
    }
    // 3.5 s after login, past maxAge, still signed in; and the cookie was re-sent on the rolls.
    expect(rolled).toBeGreaterThanOrEqual(4);
  });

  it('absolute expiry: an active session still ends absoluteMaxAge after login', async () => {
    const { app } = sessionApp(kind, { maxAge: '1s', absoluteMaxAge: '2s' });
    const { cookie } = await login(app);
    for (let i = 0; i < 3; i++) {
      await sleep(600);
      expect(await status(app, cookie)).toBe(200);
    }
    await sleep(500);
    expect(await status(app, cookie)).toBe(401);
  });

  it('ids: 256 bits, base64url, a new one for every login (1000 logins, all different)', async () => {
    const { app } = sessionApp(kind);
    const ids = new Set<string>();
    for (let i = 0; i < 1_000; i++) ids.add((await login(app, String(i % 10))).id);
    expect(ids.size).toBe(1_000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    }
  }, 60_000);

  it('a write-back that read the session before a logout or a role change does not undo it', async () => {
    const store = makeStore(kind);
    const records = new SessionRecords(store, { idleMs: 60_000, absoluteMs: 3_600_000 });
    const now = Date.now();
    const fresh = (): SessionRecord => ({
      user: { id: 'u', roles: ['admin'] },
      data: {},
      createdAt: now,
      lastSeen: now,
    });
    await records.register('s1', 'u');
    await records.write('s1', fresh());
    await records.register('s2', 'u');
    await records.write('s2', fresh());
    // A request read s1, then the user logged out, then the request rolled lastSeen with its copy.
    const stale = (await records.read('s1'))!;
    await records.end('s1');
    expect(await records.write('s1', { ...stale, lastSeen: Date.now() })).toBe(false);
    expect(await records.read('s1')).toBeUndefined();
    // A request read s2, then the admin role was removed, then the request wrote its copy back.
    const before = (await records.read('s2'))!;
    await records.updateUser({ id: 'u', roles: [] });
    expect(await records.write('s2', { ...before, lastSeen: Date.now() })).toBe(true);
    expect((await records.read('s2'))?.user.roles).toEqual([]);
  });

  it('rolling writes lastSeen at most once a minute: ten requests in a row after login write nothing', async () => {
    const { app, store } = sessionApp(kind);
    const writes: string[] = [];
    const set = store.set.bind(store);
    const spied: Pick<AuthStore, 'set'> = store;
    spied.set = async (key, value, ttl) => {
      writes.push(key);
      await set(key, value, ttl);
    };
    const { cookie } = await login(app);
    writes.length = 0;
    for (let i = 0; i < 10; i++) {
      const response = await me(app, cookie);
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect(writes).toEqual([]);
  });
});
