import { createHash } from 'node:crypto';
import { createApp } from '@framework/core';
import { type OidcProvider, startOidcProvider } from '@framework/test-helpers/oidc-provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { linkableEmail } from '../src/oauth/linkable-email.ts';
import { createOAuth } from '../src/oauth/oauth.ts';
import type { OAuthLogin } from '../src/oauth/types.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';
import { makeStore, STORES, type StoreKind } from './helpers.ts';

const APP = 'http://localhost';
const CALLBACK = `${APP}/auth/google/callback`;
const ALICE = { sub: 'alice', email: 'alice@example.com', emailVerified: true, name: 'Alice' };

let provider: OidcProvider;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [CALLBACK] });
});

afterAll(async () => {
  await provider.stop();
});

/** An app whose routes call the service, keeping logins in a `kind` store. */
function setup(kind: StoreKind = 'memory') {
  const service = createOAuth(
    {
      google: {
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        callbackUrl: '/auth/google/callback',
      },
    },
    makeStore(kind),
  );
  // Every login that got through: the attack tests assert it stays empty.
  const logins: OAuthLogin[] = [];
  const app = createApp();
  app.get('/auth/google', (ctx) => {
    const returnTo = typeof ctx.query.returnTo === 'string' ? ctx.query.returnTo : undefined;
    return service.start(ctx, 'google', returnTo === undefined ? {} : { returnTo });
  });
  app.get('/auth/google/callback', async (ctx) => {
    const login = await service.callback(ctx, 'google');
    logins.push(login);
    return { ...login.profile, returnTo: login.returnTo ?? null, linkable: linkableEmail(login.profile) ?? null };
  });
  return { app, service, logins };
}

type TestApp = ReturnType<typeof setup>['app'];

/** What one browser holds after asking the app to start a login. */
interface Started {
  response: Response;
  authorizationUrl: URL;
  /** `name=value` of the state cookie, as the browser sends it back. */
  cookie: string;
  setCookie: string;
}

async function begin(app: TestApp, returnTo?: string): Promise<Started> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const response = await app.request(`${APP}/auth/google${query}`);
  expect(response.status).toBe(302);
  const [setCookie = ''] = response.headers.getSetCookie();
  return {
    response,
    authorizationUrl: new URL(response.headers.get('location') ?? ''),
    cookie: setCookie.split(';')[0] ?? '',
    setCookie,
  };
}

async function finish(app: TestApp, callback: URL, cookie: string | undefined): Promise<Response> {
  return app.request(callback.href, cookie === undefined ? {} : { headers: { cookie } });
}

async function refusal(response: Response): Promise<{ status: number; code: unknown; reason: unknown }> {
  const body: unknown = await response.json();
  const read = (key: string): unknown =>
    typeof body === 'object' && body !== null ? Reflect.get(body, key) : undefined;
  return { status: response.status, code: read('code'), reason: read('reason') };
}

function withParam(url: URL, name: string, value: string): URL {
  const copy = new URL(url);
  copy.searchParams.set(name, value);
  return copy;
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

describe.each(STORES)('an OIDC login against a real provider (%s store)', (kind) => {
  test('start redirects with a 256-bit state, a nonce and a PKCE S256 challenge, bound to the browser by a cookie', async () => {
    const { app } = setup(kind);
    const { authorizationUrl, setCookie, response } = await begin(app);
    const params = authorizationUrl.searchParams;
    expect(authorizationUrl.origin).toBe(provider.issuer);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(provider.clientId);
    expect(params.get('redirect_uri')).toBe(CALLBACK);
    expect(params.get('scope')?.split(' ')).toEqual(['openid', 'email', 'profile']);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    // 32 random bytes in base64url: 43 characters.
    expect(params.get('state')).toMatch(/^[\w-]{43}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=600/);
    // The cookie holds a hash of the state, not the state itself.
    expect(setCookie).not.toContain(params.get('state'));
  });

  test('a full login gives the profile with its verified email and the returnTo path, and clears the state cookie', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app, '/settings?tab=2');
    const callback = await provider.login(started.authorizationUrl, ALICE);
    const response = await finish(app, callback, started.cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      provider: 'google',
      subject: 'alice',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice',
      linkable: 'alice@example.com',
      returnTo: '/settings?tab=2',
    });
    expect(response.headers.getSetCookie().join('\n')).toMatch(/fw-oauth-google=; .*Max-Age=0/);
    expect(logins).toHaveLength(1);
    expect(logins[0]?.tokens.accessToken).toEqual(expect.any(String));
    expect(logins[0]?.tokens.idToken).toEqual(expect.any(String));
  });

  test('an unverified email is reported but not linkable', async () => {
    const { app } = setup(kind);
    const started = await begin(app);
    const callback = await provider.login(started.authorizationUrl, {
      sub: 'mallory',
      email: 'alice@example.com',
      emailVerified: false,
    });
    const response = await finish(app, callback, started.cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: 'alice@example.com', emailVerified: false, linkable: null });
  });

  test('a returnTo off this site is dropped', async () => {
    const { app } = setup(kind);
    for (const target of ['//evil.com', '/\\evil.com', 'https://evil.com/', '/%2F%2Fevil.com', 'javascript:alert(1)']) {
      const started = await begin(app, target);
      const callback = await provider.login(started.authorizationUrl, ALICE);
      const response = await finish(app, callback, started.cookie);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ returnTo: null });
    }
  });
});

describe.each(STORES)('attacks on the callback get 400 and no login (%s store)', (kind) => {
  test('a state that is not the one this browser started (login CSRF)', async () => {
    const { app, logins } = setup(kind);
    const victim = await begin(app);
    const attacker = await begin(app);
    const callback = await provider.login(attacker.authorizationUrl, { sub: 'attacker' });
    const response = await finish(app, callback, victim.cookie);
    expect(await refusal(response)).toEqual({ status: 400, code: 'FW_AUTH_OAUTH', reason: 'state' });
    expect(logins).toHaveLength(0);
  });

  test('no state cookie', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const callback = await provider.login(started.authorizationUrl, ALICE);
    expect(await refusal(await finish(app, callback, undefined))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'state',
    });
    expect(logins).toHaveLength(0);
  });

  test('no state parameter, or two of them', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const callback = await provider.login(started.authorizationUrl, ALICE);
    const stripped = new URL(callback);
    stripped.searchParams.delete('state');
    expect((await refusal(await finish(app, stripped, started.cookie))).reason).toBe('state');
    const doubled = new URL(callback);
    doubled.searchParams.append('state', 'other');
    expect((await refusal(await finish(app, doubled, started.cookie))).status).toBe(400);
    expect(logins).toHaveLength(0);
  });

  test('a replayed callback (same state and code twice)', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const callback = await provider.login(started.authorizationUrl, ALICE);
    expect((await finish(app, callback, started.cookie)).status).toBe(200);
    expect(await refusal(await finish(app, callback, started.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'state',
    });
    expect(logins).toHaveLength(1);
  });

  test("a code from another login, put in this login's callback (code injection)", async () => {
    const { app, logins } = setup(kind);
    const victim = await begin(app);
    const attacker = await begin(app);
    const victimCallback = await provider.login(victim.authorizationUrl, ALICE);
    const attackerCallback = await provider.login(attacker.authorizationUrl, { sub: 'attacker' });
    const injected = withParam(victimCallback, 'code', attackerCallback.searchParams.get('code') ?? '');
    expect(await refusal(await finish(app, injected, victim.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'code',
    });
    expect(logins).toHaveLength(0);
  });

  test('an ID token issued for another nonce', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const tampered = withParam(started.authorizationUrl, 'nonce', 'a-nonce-the-app-never-issued');
    const callback = await provider.login(tampered, ALICE);
    expect(await refusal(await finish(app, callback, started.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'nonce',
    });
    expect(logins).toHaveLength(0);
  });

  test('a code whose PKCE challenge is not from this login (the provider refuses the verifier)', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const tampered = withParam(
      started.authorizationUrl,
      'code_challenge',
      s256('the-attackers-own-verifier-'.repeat(2)),
    );
    const callback = await provider.login(tampered, ALICE);
    expect(await refusal(await finish(app, callback, started.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'code',
    });
    expect(logins).toHaveLength(0);
  });

  test('PKCE plain is refused by the provider, and the callback then fails', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const plain = withParam(started.authorizationUrl, 'code_challenge_method', 'plain');
    const callback = await provider.login(plain, ALICE);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(await refusal(await finish(app, callback, started.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'provider',
    });
    expect(logins).toHaveLength(0);
  });

  test('the provider refuses a code exchanged without a verifier, or with a wrong one', async () => {
    const { app } = setup(kind);
    for (const verifier of [undefined, 'x'.repeat(43)]) {
      const started = await begin(app);
      const callback = await provider.login(started.authorizationUrl, ALICE);
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
      });
      if (verifier !== undefined) body.set('code_verifier', verifier);
      const response = await fetch(provider.tokenEndpoint, { method: 'POST', body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  test('an iss of another issuer in the callback (mix-up)', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const callback = await provider.login(started.authorizationUrl, ALICE);
    const mixedUp = withParam(callback, 'iss', 'https://evil.example');
    expect(await refusal(await finish(app, mixedUp, started.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'response',
    });
    expect(logins).toHaveLength(0);
  });

  test('two callbacks racing with the same state and code: exactly one login', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const callback = await provider.login(started.authorizationUrl, ALICE);
    const statuses = await Promise.all([
      finish(app, callback, started.cookie),
      finish(app, callback, started.cookie),
    ]).then((responses) => responses.map((response) => response.status).sort());
    expect(statuses).toEqual([200, 400]);
    expect(logins).toHaveLength(1);
  });

  test('the provider answers error=access_denied', async () => {
    const { app, logins } = setup(kind);
    const started = await begin(app);
    const callback = await provider.deny(started.authorizationUrl);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(await refusal(await finish(app, callback, started.cookie))).toEqual({
      status: 400,
      code: 'FW_AUTH_OAUTH',
      reason: 'provider',
    });
    expect(logins).toHaveLength(0);
  });
});

describe('over real sockets', () => {
  test('an app started on port 0 after the provider completes a login (any loopback port)', async () => {
    const loopback = await startOidcProvider({
      redirectUris: ['http://127.0.0.1/auth/okta/callback'],
      anyLoopbackPort: true,
    });
    const service = createOAuth(
      { okta: { issuer: loopback.issuer, clientId: loopback.clientId, clientSecret: loopback.clientSecret } },
      new MemoryAuthStore(),
    );
    await service.init();
    const app = createApp();
    app.get('/auth/okta', (ctx) => service.start(ctx, 'okta'));
    app.get('/auth/okta/callback', async (ctx) => (await service.callback(ctx, 'okta')).profile);
    const address = await app.start({ port: 0, host: '127.0.0.1' });
    try {
      const start = await fetch(`${address.url}/auth/okta`, { redirect: 'manual' });
      expect(start.status).toBe(302);
      const cookie = start.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const callback = await loopback.login(start.headers.get('location') ?? '', ALICE);
      expect(callback.origin).toBe(address.url);
      const response = await fetch(callback, { headers: { cookie }, redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ provider: 'okta', subject: 'alice', emailVerified: true });
    } finally {
      await app.stop();
      await loopback.stop();
    }
  });
});

test('a provider that went down between the redirect and the callback gets 502 and no login', async () => {
  const redirect = `${APP}/auth/google/callback`;
  const doomed = await startOidcProvider({ redirectUris: [redirect] });
  const service = createOAuth(
    { google: { issuer: doomed.issuer, clientId: doomed.clientId, clientSecret: doomed.clientSecret } },
    new MemoryAuthStore(),
  );
  const logins: OAuthLogin[] = [];
  // The 502 is logged by design (a dependency failed); the test needs no log line.
  const app = createApp({ logger: false });
  app.get('/auth/google', (ctx) => service.start(ctx, 'google'));
  app.get('/auth/google/callback', async (ctx) => {
    logins.push(await service.callback(ctx, 'google'));
    return 'signed in';
  });
  const started = await begin(app);
  const callback = await doomed.login(started.authorizationUrl, ALICE);
  await doomed.stop();
  const response = await finish(app, callback, started.cookie);
  expect(response.status).toBe(502);
  expect(logins).toHaveLength(0);
});
