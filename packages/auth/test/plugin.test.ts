import { Browser } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';
import { afterThisTest, STORES, type StoreKind } from './helpers.ts';
import { authApp, type DbUser } from './plugin-fixture.ts';

async function setUp(kind: StoreKind) {
  const { app, users, posts } = authApp(kind);
  afterThisTest(() => app.stop());
  const add = async (id: number, roles: string[], password = `password-of-${id}`) => {
    const user: DbUser = {
      id,
      email: `u${id}@example.com`,
      name: `User ${id}`,
      roles,
      passwordHash: await app.auth.passwords.hash(password),
    };
    users.set(String(id), user);
    return user;
  };
  await Promise.all([add(1, ['admin']), add(2, ['user']), add(3, ['moderator'])]);
  await app.ready();
  const tokensFor = async (id: number) => {
    const res = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `u${id}@example.com`, password: `password-of-${id}`, strategy: 'jwt' }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { accessToken: string; refreshToken: string; expiresIn: number };
  };
  const signedIn = async (id: number) => {
    const browser = new Browser((path, init) => app.request(path, init));
    const res = await browser.post('/login', { email: `u${id}@example.com`, password: `password-of-${id}` });
    expect(res.status).toBe(200);
    return browser;
  };
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  /** POST /auth/refresh with a refresh token, as a client refreshing its access token does. */
  const refresh = (refreshToken: string) =>
    app.request('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
  return { app, users, posts, add, tokensFor, signedIn, bearer, refresh };
}

describe.each(STORES)('auth() on the %s store', (kind) => {
  it('answers 401 problem+json with WWW-Authenticate when a route needs credentials and has none', async () => {
    const { app } = await setUp(kind);
    const res = await app.request('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="app", ApiKey realm="app", Session realm="app"');
    expect(await res.json()).toMatchObject({ status: 401, code: 'FW_AUTH_UNAUTHENTICATED' });
  });

  it('signs in with a password into a session, and ctx.user is what serialize made of the user', async () => {
    const { signedIn } = await setUp(kind);
    const browser = await signedIn(2);
    const res = await browser.send('/me');
    expect(await res.json()).toEqual({ user: { id: '2', roles: ['user'], name: 'User 2' }, strategy: 'session' });
  });

  it('answers a wrong password and an unknown account alike', async () => {
    const { app } = await setUp(kind);
    const attempt = (email: string) =>
      app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'not-the-password' }),
      });
    const wrong = await attempt('u2@example.com');
    const unknown = await attempt('nobody@example.com');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('throttles brute force: past failedLogins.max, even the right password is refused (429)', async () => {
    const { app } = await setUp(kind);
    const attempt = (password: string) =>
      app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'u2@example.com', password }),
      });
    for (let index = 0; index < 5; index++) expect((await attempt(`guess-${index}`)).status).toBe(401);
    const blocked = await attempt('password-of-2');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).not.toBeNull();
  });

  it("serves the spec's admin route to an admin's token, 403 to a user's, 401 to no token", async () => {
    const { app, tokensFor, bearer } = await setUp(kind);
    const admin = await tokensFor(1);
    const user = await tokensFor(2);
    const ok = await app.request('/admin/users', { method: 'POST', ...bearer(admin.accessToken) });
    expect(await ok.json()).toEqual({ created: true, by: '1' });
    const forbidden = await app.request('/admin/users', { method: 'POST', ...bearer(user.accessToken) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'FW_AUTH_FORBIDDEN', required: ['admin', 'write:users'] });
    expect((await app.request('/admin/users', { method: 'POST' })).status).toBe(401);
  });

  it("refuses a route's strategies it does not list: a session cookie on a JWT-only route is 401", async () => {
    const { signedIn } = await setUp(kind);
    const browser = await signedIn(1);
    const res = await browser.post('/admin/users');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="app"');
  });

  it('refuses a JWT sent in another scheme than Bearer (Basic, Token)', async () => {
    const { app, tokensFor } = await setUp(kind);
    const { accessToken } = await tokensFor(1);
    for (const scheme of ['Basic', 'Token', 'JWT', '']) {
      const res = await app.request('/me', { headers: { authorization: `${scheme} ${accessToken}`.trim() } });
      expect(res.status, scheme).toBe(401);
    }
    expect((await app.request('/me', { headers: { authorization: `bearer ${accessToken}` } })).status).toBe(200);
  });

  it('gives a new session id at login (no fixation) and the old one is worth nothing', async () => {
    const { app, signedIn } = await setUp(kind);
    const attacker = await signedIn(3);
    const planted = attacker.cookieHeader();
    // The victim's browser carries the attacker's session cookie, then the victim signs in.
    const victim = new Browser((path, init) => app.request(path, init));
    for (const pair of planted.split('; '))
      victim.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    const sessionCookie = [...victim.cookies.keys()].find((name) => name.endsWith('sid')) ?? 'sid';
    const before = victim.cookies.get(sessionCookie);
    expect((await victim.post('/login', { email: 'u2@example.com', password: 'password-of-2' })).status).toBe(200);
    expect(victim.cookies.get(sessionCookie)).not.toBe(before);
    expect(await (await victim.send('/me')).json()).toMatchObject({ user: { id: '2' } });
    // The planted id was ended by the login: the attacker's copy no longer signs anyone in.
    expect((await app.request('/me', { headers: { cookie: planted } })).status).toBe(401);
  });

  it('ignores a session id in the URL', async () => {
    const { app, signedIn } = await setUp(kind);
    const browser = await signedIn(2);
    const value = [...browser.cookies].find(([name]) => name.endsWith('sid'))?.[1] ?? '';
    expect(
      (await app.request(`/me?sid=${encodeURIComponent(value)}&session=${encodeURIComponent(value)}`)).status,
    ).toBe(401);
  });

  it('binds CSRF tokens to the session: a token from before the login is refused after it', async () => {
    const { app } = await setUp(kind);
    const browser = new Browser((path, init) => app.request(path, init));
    const before = ((await (await browser.send('/csrf')).json()) as { token: string }).token;
    const login = await browser.send('/login', {
      method: 'POST',
      body: { email: 'u2@example.com', password: 'password-of-2' },
      headers: { 'x-csrf-token': before },
    });
    expect(login.status).toBe(200);
    const stale = await browser.send('/notes', { method: 'POST', body: {}, headers: { 'x-csrf-token': before } });
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ code: 'FW_ERR_CSRF' });
    expect((await browser.send('/notes', { method: 'POST', body: {} })).status).toBe(403);
    expect(await (await browser.post('/notes')).json()).toEqual({ saved: true, by: '2' });
  });

  it('logs out: the same cookie replayed afterwards is 401', async () => {
    const { app, signedIn } = await setUp(kind);
    const browser = await signedIn(2);
    const kept = browser.cookieHeader();
    expect((await browser.post('/logout')).status).toBe(200);
    expect((await app.request('/me', { headers: { cookie: kept } })).status).toBe(401);
  });

  it("logs a JWT out: the access token is refused after, and so is the sign-in's refresh token", async () => {
    const { app, tokensFor, bearer, refresh } = await setUp(kind);
    const { accessToken, refreshToken } = await tokensFor(2);
    const out = await app.request('/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(out.status).toBe(200);
    expect((await app.request('/me', bearer(accessToken))).status).toBe(401);
    expect((await refresh(refreshToken)).status).toBe(401);
  });

  it('rotates refresh tokens at /auth/refresh, and a reused one revokes its whole family', async () => {
    const { app, tokensFor, bearer, refresh } = await setUp(kind);
    const first = await tokensFor(2);
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as { accessToken: string; refreshToken: string };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await app.request('/me', bearer(second.accessToken))).status).toBe(200);
    // The first refresh token again: stolen, or replayed. The family goes.
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ code: 'FW_AUTH_REFRESH_REUSED' });
    expect((await refresh(second.refreshToken)).status).toBe(401);
    expect((await app.request('/me', bearer(second.accessToken))).status).toBe(401);
  });

  it('refuses a refresh token used as an access token, and the reverse', async () => {
    const { app, tokensFor, bearer, refresh } = await setUp(kind);
    const { accessToken, refreshToken } = await tokensFor(2);
    expect((await app.request('/me', bearer(refreshToken))).status).toBe(401);
    expect((await refresh(accessToken)).status).toBe(401);
  });

  it('logs out everywhere: every session and refresh token of the user ends', async () => {
    const { app, signedIn, tokensFor, bearer, refresh } = await setUp(kind);
    const laptop = await signedIn(2);
    const phone = await signedIn(2);
    const { accessToken, refreshToken } = await tokensFor(2);
    const other = await signedIn(3);
    expect((await laptop.post('/logout-everywhere')).status).toBe(200);
    expect((await phone.send('/me')).status).toBe(401);
    expect((await app.request('/me', bearer(accessToken))).status).toBe(401);
    expect((await refresh(refreshToken)).status).toBe(401);
    // Another user is not touched.
    expect((await other.send('/me')).status).toBe(200);
  });

  it('applies a role removed on the server to the next request of a session', async () => {
    const { app, users, signedIn } = await setUp(kind);
    const browser = await signedIn(1);
    expect((await browser.send('/admin/users')).status).toBe(200);
    const admin = users.get('1');
    if (admin === undefined) throw new Error('no admin');
    admin.roles = ['user'];
    await app.auth.updateUser(admin);
    expect((await browser.send('/admin/users')).status).toBe(403);
  });

  it('authenticates an API key, narrowed to its scope, and refuses it once revoked', async () => {
    const { app } = await setUp(kind);
    const keys = app.auth.apiKeys;
    if (keys === undefined) throw new Error('apiKey is configured');
    // The admin's key for reports: it may read reports, and nothing more, though its user may.
    const { id, key } = await keys.create({ userId: '1', name: 'reporting', permissions: ['read:reports'] });
    expect(await (await app.request('/reports', { headers: { 'x-api-key': key } })).json()).toEqual({ rows: 3 });
    expect((await app.request('/reports', { headers: { authorization: `ApiKey ${key}` } })).status).toBe(200);
    const scoped = await app.request('/admin/users', { headers: { 'x-api-key': key } });
    expect(scoped.status).toBe(403);
    expect(await (await app.request('/me', { headers: { 'x-api-key': key } })).json()).toMatchObject({
      user: { id: '1' },
      strategy: 'apiKey',
    });
    expect((await app.request('/reports', { headers: { 'x-api-key': `${key}x` } })).status).toBe(401);
    await keys.revoke(id);
    const revoked = await app.request('/reports', { headers: { 'x-api-key': key } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('ApiKey');
  });

  it('checks ownership with ctx.can: write:own on your post, write:posts on any, nothing on others', async () => {
    const { app, tokensFor } = await setUp(kind);
    const put = async (id: number, post: string) =>
      (
        await app.request(`/posts/${post}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${(await tokensFor(id)).accessToken}` },
        })
      ).status;
    expect(await put(2, 'p1')).toBe(200); // user 2 wrote p1
    expect(await put(2, 'p2')).toBe(403); // p2 is user 3's
    expect(await put(3, 'p1')).toBe(200); // a moderator may write any post
    expect(await put(1, 'p2')).toBe(200); // admin: '*'
  });

  it('authenticates an optional route when it can, and serves guests otherwise', async () => {
    const { app, tokensFor, bearer } = await setUp(kind);
    expect(await (await app.request('/feed')).json()).toEqual({ for: 'guest' });
    expect(await (await app.request('/feed', bearer((await tokensFor(3)).accessToken))).json()).toEqual({ for: '3' });
    // Credentials that are there but wrong are refused, not taken for a guest.
    expect((await app.request('/feed', bearer('not-a-token'))).status).toBe(401);
  });

  it('answers 401 when a handler reads ctx.user on a route nothing authenticated', async () => {
    const { app, tokensFor, bearer } = await setUp(kind);
    const res = await app.request('/reads-user', bearer((await tokensFor(1)).accessToken));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toContain('add auth: [...] to the route');
  });
});
