import { Browser } from '@framework/test-helpers';
import { type OidcAccount, type OidcProvider, startOidcProvider } from '@framework/test-helpers/oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

const PASSWORD = 'correct horse battery staple';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface PublicUser {
  id: number;
  email: string | null;
  name: string;
  roles: string[];
}

let provider: OidcProvider;
let app: ReturnType<typeof buildApp>;
let base: string;

/** A browser over the socket (cookies kept and sent back, CSRF tokens from /auth/csrf), plus who it is signed in as. */
class Client extends Browser {
  constructor() {
    super((path, init) => fetch(`${base}${path}`, { ...init, redirect: 'manual' }), { csrfPath: '/auth/csrf' });
  }

  async me(): Promise<{ status: number; user?: PublicUser; strategy?: string }> {
    const res = await this.send('/auth/me');
    return res.status === 200 ? { status: 200, ...((await res.json()) as object) } : { status: res.status };
  }
}

async function json(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function signUp(email: string, name = 'Someone'): Promise<PublicUser> {
  const res = await json('/auth/signup', { email, password: PASSWORD, name });
  expect(res.status).toBe(201);
  return ((await res.json()) as { user: PublicUser }).user;
}

/** Password login into a session: a browser holding the session cookie. */
async function sessionOf(email: string): Promise<Client> {
  const browser = new Client();
  const res = await browser.send('/auth/login', { method: 'POST', body: { email, password: PASSWORD } });
  expect(res.status).toBe(200);
  return browser;
}

async function tokensOf(email: string): Promise<Tokens> {
  const res = await json('/auth/login', { email, password: PASSWORD, strategy: 'jwt' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { tokens: Tokens }).tokens;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Start at the app, sign in at the provider, come back: the browser then holds the app's session. */
async function oidcLogin(account: OidcAccount): Promise<Client> {
  const browser = new Client();
  const start = await browser.send('/auth/oidc');
  expect(start.status).toBe(302);
  const callback = await provider.login(start.headers.get('location') ?? '', account);
  expect(callback.origin).toBe(base);
  const back = await browser.send(`${callback.pathname}${callback.search}`);
  expect(back.status).toBe(302);
  expect(back.headers.get('location')).toBe('/');
  return browser;
}

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: ['http://127.0.0.1/auth/oidc/callback'], anyLoopbackPort: true });
  app = buildApp({
    ...process.env,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
  });
  base = (await app.start({ port: 0, host: '127.0.0.1' })).url;
  // The first account of the database is the admin.
  await signUp('admin@example.com', 'Admin');
});

afterAll(async () => {
  await app?.stop();
  await provider?.stop();
});

describe('sign-up', () => {
  it('makes the first account the admin and the next ones users, and never shows a password hash', async () => {
    const admin = await sessionOf('admin@example.com');
    expect((await admin.me()).user).toMatchObject({ email: 'admin@example.com', roles: ['admin', 'user'] });
    const res = await json('/auth/signup', { email: 'Bea@Example.com', password: PASSWORD, name: 'Bea' });
    expect(res.status).toBe(201);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({
      user: { id: expect.any(Number), email: 'bea@example.com', name: 'Bea', roles: ['user'] },
    });
    expect(body).not.toContain('argon2');
  });

  it('answers 409 for an email already signed up, whatever its case, and 400 for a short password', async () => {
    await signUp('carl@example.com');
    const again = await json('/auth/signup', { email: 'CARL@example.com', password: PASSWORD, name: 'Other Carl' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('An account with this email exists');
    const short = await json('/auth/signup', { email: 'dana@example.com', password: 'short', name: 'Dana' });
    expect(short.status).toBe(400);
    expect((await json('/auth/signup', { email: 'not-an-email', password: PASSWORD, name: 'X' })).status).toBe(400);
  });
});

describe('password login', () => {
  it('opens a session: an HttpOnly cookie, and /auth/me shows the user', async () => {
    await signUp('erin@example.com', 'Erin');
    const browser = await sessionOf('erin@example.com');
    const cookie = browser.setCookies.find((line) => line.startsWith('sid='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//i);
    expect(await browser.me()).toMatchObject({
      status: 200,
      user: { email: 'erin@example.com', name: 'Erin', roles: ['user'] },
      strategy: 'session',
    });
  });

  it('answers a wrong password and an unknown email alike (401)', async () => {
    await signUp('fay@example.com');
    const wrong = await json('/auth/login', { email: 'fay@example.com', password: 'not the password' });
    const unknown = await json('/auth/login', { email: 'nobody@example.com', password: 'not the password' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('issues JWTs: the access token authenticates, a refresh rotates, a reused refresh token ends the family', async () => {
    await signUp('gus@example.com', 'Gus');
    const first = await tokensOf('gus@example.com');
    const me = await fetch(`${base}/auth/me`, { headers: bearer(first.accessToken) });
    expect(await me.json()).toMatchObject({ user: { email: 'gus@example.com' }, strategy: 'jwt' });

    const rotated = await json('/auth/refresh', { refreshToken: first.refreshToken });
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await fetch(`${base}/auth/me`, { headers: bearer(second.accessToken) })).status).toBe(200);

    // The first refresh token again: stolen or replayed. It is refused, and so is the whole family.
    const reused = await json('/auth/refresh', { refreshToken: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ code: 'FW_AUTH_REFRESH_REUSED' });
    expect((await json('/auth/refresh', { refreshToken: second.refreshToken })).status).toBe(401);
    expect((await fetch(`${base}/auth/me`, { headers: bearer(second.accessToken) })).status).toBe(401);
  });
});

describe('logout', () => {
  it('ends the session: the same cookie replayed afterwards is 401', async () => {
    await signUp('hal@example.com');
    const browser = await sessionOf('hal@example.com');
    const kept = browser.cookieHeader();
    const out = await browser.post('/auth/logout');
    expect(out.status).toBe(200);
    const replay = await fetch(`${base}/auth/me`, { headers: { cookie: kept } });
    expect(replay.status).toBe(401);
  });

  it('ends a JWT login: its access token and its refresh token are refused afterwards', async () => {
    await signUp('ida@example.com');
    const { accessToken, refreshToken } = await tokensOf('ida@example.com');
    expect((await json('/auth/logout', { refreshToken }, bearer(accessToken))).status).toBe(200);
    expect((await fetch(`${base}/auth/me`, { headers: bearer(accessToken) })).status).toBe(401);
    expect((await json('/auth/refresh', { refreshToken })).status).toBe(401);
  });

  it("logs out everywhere: the user's other session and tokens are 401, another user's session goes on", async () => {
    await signUp('jo@example.com');
    await signUp('kim@example.com');
    const laptop = await sessionOf('jo@example.com');
    const phone = await sessionOf('jo@example.com');
    const { accessToken, refreshToken } = await tokensOf('jo@example.com');
    const other = await sessionOf('kim@example.com');
    expect((await phone.me()).status).toBe(200);

    expect((await laptop.post('/auth/logout-everywhere')).status).toBe(200);
    expect((await phone.me()).status).toBe(401);
    expect((await laptop.me()).status).toBe(401);
    expect((await fetch(`${base}/auth/me`, { headers: bearer(accessToken) })).status).toBe(401);
    expect((await json('/auth/refresh', { refreshToken })).status).toBe(401);
    expect((await other.me()).status).toBe(200);
  });
});

describe('OpenID login against the loopback provider', () => {
  it('creates an account at the first login and finds the same one at the next', async () => {
    const account = { sub: 'lee-1', email: 'lee@example.com', emailVerified: true, name: 'Lee' };
    const first = await oidcLogin(account);
    const created = await first.me();
    expect(created).toMatchObject({
      status: 200,
      user: { email: 'lee@example.com', name: 'Lee', roles: ['user'] },
      strategy: 'session',
    });
    const again = await (await oidcLogin(account)).me();
    expect(again.user?.id).toBe(created.user?.id);
  });

  it('links a verified email to the existing account', async () => {
    const existing = await signUp('max@example.com', 'Max');
    const browser = await oidcLogin({ sub: 'max-at-idp', email: 'Max@example.com', emailVerified: true, name: 'M' });
    expect((await browser.me()).user).toEqual(existing);
  });

  it('does not link an unverified email to the account that has it: the login gets an account of its own', async () => {
    const victim = await signUp('nia@example.com', 'Nia');
    const browser = await oidcLogin({
      sub: 'mallory',
      email: 'nia@example.com',
      emailVerified: false,
      name: 'Mallory',
    });
    const { user } = await browser.me();
    expect(user?.id).not.toBe(victim.id);
    expect(user).toMatchObject({ email: null, name: 'Mallory', roles: ['user'] });
    // The victim's account is untouched and still signs in with its password.
    expect((await (await sessionOf('nia@example.com')).me()).user).toEqual(victim);
  });

  it('refuses a callback without the browser that started the login (no state cookie): 400, no session', async () => {
    const start = await new Client().send('/auth/oidc');
    const callback = await provider.login(start.headers.get('location') ?? '', { sub: 'oz', emailVerified: false });
    const stranger = new Client();
    const res = await stranger.send(`${callback.pathname}${callback.search}`);
    expect(res.status).toBe(400);
    expect((await stranger.me()).status).toBe(401);
  });
});

describe('API keys', () => {
  it('creates a key with part of what the caller may do; it works within its scope and is 403 outside it', async () => {
    await signUp('ola@example.com', 'Ola');
    const { accessToken } = await tokensOf('ola@example.com');
    const created = await json('/auth/api-keys', { name: 'ci', permissions: ['write:todos'] }, bearer(accessToken));
    expect(created.status).toBe(201);
    const { key, permissions } = (await created.json()) as { key: string; permissions: string[] };
    expect(key).toMatch(/^todo_/);
    expect(permissions).toEqual(['write:todos']);

    const todo = await json('/todos', { title: 'from the CI' }, { 'x-api-key': key });
    expect(todo.status).toBe(201);
    expect(await (await fetch(`${base}/auth/me`, { headers: { 'x-api-key': key } })).json()).toMatchObject({
      user: { email: 'ola@example.com' },
      strategy: 'apiKey',
    });

    const readOnly = await json('/auth/api-keys', { name: 'dashboard', permissions: ['read:*'] }, bearer(accessToken));
    const { key: reader } = (await readOnly.json()) as { key: string };
    const outOfScope = await json('/todos', { title: 'not with this key' }, { 'x-api-key': reader });
    expect(outOfScope.status).toBe(403);
    expect(await outOfScope.json()).toMatchObject({ code: 'FW_AUTH_FORBIDDEN' });
    expect((await fetch(`${base}/auth/me`, { headers: { 'x-api-key': `${key}x` } })).status).toBe(401);
  });

  it("refuses a key that would do more than its user (403): '*', another resource, or an admin's", async () => {
    await signUp('pat@example.com');
    const { accessToken } = await tokensOf('pat@example.com');
    for (const permissions of [['*'], ['write:users'], ['write:*'], ['read:todos', 'delete:todos']]) {
      const res = await json('/auth/api-keys', { name: 'greedy', permissions }, bearer(accessToken));
      expect(res.status, permissions.join(',')).toBe(403);
    }
    const admin = await tokensOf('admin@example.com');
    const { key } = (await (
      await json('/auth/api-keys', { name: 'todos only', permissions: ['write:todos'] }, bearer(admin.accessToken))
    ).json()) as { key: string };
    // The admin's own key is narrowed to its scope: the admin route is out of it.
    expect((await fetch(`${base}/admin/users`, { headers: { 'x-api-key': key } })).status).toBe(403);
    // A key cannot make keys.
    expect(
      (await json('/auth/api-keys', { name: 'k', permissions: ['write:todos'] }, { 'x-api-key': key })).status,
    ).toBe(401);
  });
});

describe('the admin-only route', () => {
  it('answers 401 to nobody, 403 to a user and 200 to the admin', async () => {
    expect((await fetch(`${base}/admin/users`)).status).toBe(401);
    await signUp('quinn@example.com');
    const user = await sessionOf('quinn@example.com');
    const forbidden = await user.send('/admin/users');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'FW_AUTH_FORBIDDEN', required: ['admin'] });
    const admin = await sessionOf('admin@example.com');
    const list = await admin.send('/admin/users');
    expect(list.status).toBe(200);
    const emails = ((await list.json()) as PublicUser[]).map((u) => u.email);
    expect(emails).toContain('quinn@example.com');
    expect(emails[0]).toBe('admin@example.com');
  });
});

describe('CSRF', () => {
  it('refuses a session-authenticated POST without the token (403) and takes it with the token', async () => {
    await signUp('ray@example.com');
    const browser = await sessionOf('ray@example.com');
    const bare = await browser.send('/todos', { method: 'POST', body: { title: 'forged' } });
    expect(bare.status).toBe(403);
    expect(await bare.json()).toMatchObject({ code: 'FW_ERR_CSRF' });
    const crossSite = await browser.send('/auth/logout', {
      method: 'POST',
      body: {},
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect((await browser.me()).status).toBe(200);
    const withToken = await browser.post('/todos', { title: 'mine' });
    expect(withToken.status).toBe(201);
  });
});

describe('brute force', () => {
  // Last: past the limit the client (this test's address) is blocked for a while.
  it('blocks password guessing: after five wrong passwords even the right one is 429', async () => {
    await signUp('sam@example.com');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await json('/auth/login', { email: 'sam@example.com', password: `guess ${attempt}` })).status).toBe(401);
    }
    const blocked = await json('/auth/login', { email: 'sam@example.com', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).not.toBeNull();
  });
});
