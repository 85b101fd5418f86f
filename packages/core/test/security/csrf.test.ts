import { afterEach, describe, expect, it } from 'vitest';
import type { App, AppOptions } from '../../src/app.ts';
import { createApp } from '../../src/create-app.ts';
import { FrameworkError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import { readJson } from '../helpers.ts';

const SECRET = 'a-long-random-cookie-secret-for-tests';

interface Fixture {
  app: App;
  /** How many times the state-changing handler ran. */
  calls: () => number;
}

function fixture(options: AppOptions = {}): Fixture {
  let calls = 0;
  const app = createApp({ logger: false, cookies: { secret: SECRET }, ...options });
  app.get('/form', (ctx) => ({ token: ctx.csrfToken }));
  const change = () => {
    calls++;
    return { ok: true };
  };
  app.post('/transfer', change);
  app.put('/transfer', change);
  app.delete('/transfer', change);
  app.post('/webhook/stripe', change);
  app.post('/webhook', change);
  return { app, calls: () => calls };
}

/** Loads a page the way a browser would and returns the CSRF cookie and the token handed to the page. */
async function session(app: App, headers: Record<string, string> = {}, url = '/form') {
  const res = await app.request(url, { headers });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  return { token, cookie, setCookie };
}

function post(
  app: App,
  headers: Record<string, string>,
  body?: RequestInit['body'],
  method = 'POST',
  path = '/transfer',
) {
  return app.request(path, { method, headers, body });
}

describe('CSRF protection (on by default)', () => {
  it('CF-01: refuses a cookie-authenticated POST without a token with 403 and a reason, handler not run', async () => {
    const { app, calls } = fixture();
    const { cookie } = await session(app);
    const res = await post(app, { cookie: `${cookie}; sid=abc`, 'content-type': 'application/json' }, '{"to":"x"}');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await readJson(res);
    expect(problem.code).toBe('FW_ERR_CSRF');
    expect(problem.reason).toBe('missing-token');
    expect(problem.detail).toContain('x-csrf-token');
    expect(calls()).toBe(0);
  });

  it('accepts the same request with the token from ctx.csrfToken in the x-csrf-token header', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    const res = await post(app, { cookie, 'x-csrf-token': token, 'content-type': 'application/json' }, '{}');
    expect(res.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('sets the token cookie HttpOnly, SameSite=Strict, Path=/ and keeps a valid one across pages', async () => {
    const { app } = fixture();
    const first = await session(app);
    expect(first.setCookie).toMatch(/^csrf=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const again = await app.request('/form', { headers: { cookie: first.cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(((await again.json()) as { token: string }).token).toBe(first.token);
  });

  it('uses a __Host- prefixed Secure cookie on HTTPS requests', async () => {
    const { app, calls } = fixture();
    const { setCookie, cookie, token } = await session(app, {}, 'https://shop.example/form');
    expect(setCookie).toMatch(/^__Host-csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const res = await app.request('https://shop.example/transfer', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': token },
    });
    expect(res.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it.each([
    ['Application/x-www-form-urlencoded', 'to=attacker&amount=100'],
    [
      'MULTIPART/FORM-DATA; BOUNDARY=XyZ',
      '--XyZ\r\nContent-Disposition: form-data; name="to"\r\n\r\nattacker\r\n--XyZ--\r\n',
    ],
    ['TEXT/PLAIN', '{"to":"attacker"}'],
  ])('CF-03: still checks a body sent as %s (403, handler not run)', async (type, body) => {
    const { app, calls } = fixture();
    const { cookie } = await session(app);
    const res = await post(app, { cookie, 'content-type': type }, body);
    expect(res.status).toBe(403);
    expect(calls()).toBe(0);
  });

  it('CF-03: still checks a body sent with no Content-Type at all (403, handler not run)', async () => {
    const { app, calls } = fixture();
    const { cookie } = await session(app);
    const res = await post(app, { cookie }, new TextEncoder().encode('to=attacker'));
    expect(res.status).toBe(403);
    expect(calls()).toBe(0);
  });

  it('CF-03: reads the token field of a form whatever the Content-Type casing', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    const res = await post(app, { cookie, 'content-type': 'Application/X-WWW-Form-Urlencoded' }, `_csrf=${token}`);
    expect(res.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('takes the token from a JSON body field and from a custom tokenField', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    const json = await post(app, { cookie, 'content-type': 'application/json' }, JSON.stringify({ _csrf: token }));
    expect(json.status).toBe(200);
    const custom = fixture({ csrf: { tokenField: 'authenticity_token' } });
    const other = await session(custom.app);
    const form = await post(
      custom.app,
      { cookie: other.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      `authenticity_token=${other.token}`,
    );
    expect(form.status).toBe(200);
    expect(calls() + custom.calls()).toBe(2);
  });

  it('CF-04: refuses Sec-Fetch-Site: cross-site even with a valid token', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    const res = await post(app, { cookie, 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect((await readJson(res)).reason).toBe('cross-site');
    expect(calls()).toBe(0);
  });

  it('CF-04: refuses Origin: null and a foreign Origin even with a valid token', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    for (const origin of ['null', 'https://evil.example', 'http://localhost.evil.example']) {
      const res = await post(app, { cookie, 'x-csrf-token': token, origin });
      expect(res.status).toBe(403);
      expect((await readJson(res)).reason).toBe('origin');
    }
    expect(calls()).toBe(0);
  });

  it('CF-04: a same-origin request with a valid token gets 2xx', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    const res = await post(app, {
      cookie,
      'x-csrf-token': token,
      origin: 'http://localhost',
      'sec-fetch-site': 'same-origin',
    });
    expect(res.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('lets a trusted origin through the Origin check but still requires the token', async () => {
    const { app, calls } = fixture({ csrf: { trustedOrigins: ['https://app.example.com'] } });
    const { cookie, token } = await session(app);
    const origin = 'https://app.example.com';
    expect((await post(app, { cookie, origin, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await post(app, { cookie, origin, 'sec-fetch-site': 'same-site', 'x-csrf-token': token })).status).toBe(
      200,
    );
    expect(calls()).toBe(1);
  });

  it('CF-05: a token of another length and one with a single flipped character are both 403', async () => {
    const { app, calls } = fixture();
    const { cookie, token } = await session(app);
    const flipped = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect(flipped).toHaveLength(token.length);
    expect((await post(app, { cookie, 'x-csrf-token': `${token}x` })).status).toBe(403);
    expect((await post(app, { cookie, 'x-csrf-token': token.slice(0, -1) })).status).toBe(403);
    expect((await post(app, { cookie, 'x-csrf-token': flipped })).status).toBe(403);
    expect(calls()).toBe(0);
  });

  it('CF-05: token values never appear in logs or error responses', async () => {
    const lines: string[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, message: string) => {
      lines.push(
        `${level} ${message} ${JSON.stringify(fields, (_key, value) => (value instanceof Error ? value.stack : value))}`,
      );
    };
    const logger: Logger = {
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    };
    const app = createApp({ logger, cookies: { secret: SECRET }, exposeErrors: false });
    app.get('/form', (ctx) => ({ token: ctx.csrfToken }));
    app.post('/boom', () => {
      throw new Error('handler failed');
    });
    const { cookie, token } = await session(app);
    const forged = `${token.slice(0, -2)}AA`;
    const bodies: string[] = [];
    const attempts: Record<string, string>[] = [{ 'x-csrf-token': forged }, { 'x-csrf-token': token }, {}];
    for (const headers of attempts) {
      const res = await post(app, { cookie, ...headers }, undefined, 'POST', '/boom');
      bodies.push(await res.text());
    }
    expect(lines.some((line) => line.includes('handler failed'))).toBe(true);
    const secretValue = cookie.slice(cookie.indexOf('=') + 1);
    for (const text of [...lines, ...bodies]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(forged);
      expect(text).not.toContain(secretValue);
    }
  });

  it('lets a bearer-authenticated request through without a token (a cross-site form cannot add Authorization)', async () => {
    const { app, calls } = fixture();
    const res = await post(app, { cookie: 'theme=dark', authorization: 'Bearer abc.def.ghi' });
    expect(res.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('lets a request without cookies through (nothing ambient to ride on)', async () => {
    const { app, calls } = fixture();
    const res = await post(app, { 'content-type': 'application/json' }, '{"to":"x"}');
    expect(res.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('skips excluded paths (/webhook/* covers /webhook and below) but not their neighbours', async () => {
    const { app, calls } = fixture({ csrf: { exclude: ['/webhook/*'] } });
    expect((await post(app, { cookie: 'sid=1' }, undefined, 'POST', '/webhook/stripe')).status).toBe(200);
    expect((await post(app, { cookie: 'sid=1' }, undefined, 'POST', '/webhook')).status).toBe(200);
    expect((await post(app, { cookie: 'sid=1' }, undefined, 'POST', '/transfer')).status).toBe(403);
    expect(calls()).toBe(2);
  });

  it('checks PUT and DELETE by default, and skips a method listed in excludeMethods', async () => {
    const checked = fixture();
    expect((await post(checked.app, { cookie: 'sid=1' }, undefined, 'PUT')).status).toBe(403);
    expect((await post(checked.app, { cookie: 'sid=1' }, undefined, 'DELETE')).status).toBe(403);
    expect(checked.calls()).toBe(0);
    const relaxed = fixture({ csrf: { excludeMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT'] } });
    expect((await post(relaxed.app, { cookie: 'sid=1' }, undefined, 'PUT')).status).toBe(200);
    expect((await post(relaxed.app, { cookie: 'sid=1' }, undefined, 'DELETE')).status).toBe(403);
    expect(relaxed.calls()).toBe(1);
  });

  it('binds the token to the session id: a token from session A is refused for session B', async () => {
    const { app, calls } = fixture({ csrf: { sessionId: (ctx) => ctx.cookies.get('sid') } });
    const a = await session(app, { cookie: 'sid=alice' });
    const asAlice = await post(app, { cookie: `sid=alice; ${a.cookie}`, 'x-csrf-token': a.token });
    expect(asAlice.status).toBe(200);
    const asBob = await post(app, { cookie: `sid=bob; ${a.cookie}`, 'x-csrf-token': a.token });
    expect(asBob.status).toBe(403);
    expect((await readJson(asBob)).reason).toBe('invalid-token');
    // Bob's page gets a fresh token bound to his session rather than Alice's.
    const b = await session(app, { cookie: `sid=bob; ${a.cookie}` });
    expect(b.token).not.toBe(a.token);
    expect(calls()).toBe(1);
  });

  it('accepts a token signed with a rotated-out key still listed, and refuses it once the key is dropped', async () => {
    const before = fixture({ cookies: { secret: 'old-key-old-key-old-key-old-key-old-key' } });
    const { cookie, token } = await session(before.app);
    const rotated = fixture({
      cookies: { secret: ['new-key-new-key-new-key-new-key-new-key', 'old-key-old-key-old-key-old-key-old-key'] },
    });
    expect((await post(rotated.app, { cookie, 'x-csrf-token': token })).status).toBe(200);
    const dropped = fixture({ cookies: { secret: ['new-key-new-key-new-key-new-key-new-key'] } });
    expect((await post(dropped.app, { cookie, 'x-csrf-token': token })).status).toBe(403);
    expect(rotated.calls() + dropped.calls()).toBe(1);
  });

  it('refuses a token whose HMAC was tampered with, even when cookie and header agree', async () => {
    const { app, calls } = fixture();
    const { token } = await session(app);
    const [rand, mac] = token.split('.') as [string, string];
    const tampered = `${rand}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    const forgedRand = `${rand.slice(0, -1)}${rand.endsWith('A') ? 'B' : 'A'}.${mac}`;
    for (const value of [tampered, forgedRand]) {
      const res = await post(app, { cookie: `csrf=${value}`, 'x-csrf-token': value });
      expect(res.status).toBe(403);
    }
    expect(calls()).toBe(0);
  });

  it('csrf: false turns it off, and app.csrf() turns it back on', async () => {
    const off = fixture({ csrf: false });
    expect((await post(off.app, { cookie: 'sid=1' })).status).toBe(200);
    const page = await off.app.request('/form');
    expect(page.status).toBe(500);
    expect(off.calls()).toBe(1);
    const on = fixture({ csrf: false });
    on.app.csrf();
    expect((await post(on.app, { cookie: 'sid=1' })).status).toBe(403);
    expect(on.calls()).toBe(0);
  });

  it('refuses malformed options at setup with a FrameworkError that says what to write', () => {
    expect(() => createApp({ csrf: { exclude: ['/a/*/b'] } })).toThrow(FrameworkError);
    expect(() => createApp({ csrf: { exclude: ['/a/*/b'] } })).toThrow(/only supported as a last segment/);
    expect(() => createApp({ csrf: { trustedOrigins: ['https://app.example.com/'] } })).toThrow(
      /"https:\/\/app.example.com"/,
    );
    expect(() => createApp({ csrf: { cookie: { name: '__Host-x', secure: false } } })).toThrow(/__Host-/);
  });
});

describe('CSRF on a real server', () => {
  const started: App[] = [];
  const env = process.env.NODE_ENV;
  afterEach(async () => {
    process.env.NODE_ENV = env;
    await Promise.all(started.splice(0).map((app) => app.stop()));
  });

  it('refuses a cross-site form POST with the session cookie over the wire, and serves the same-site one', async () => {
    const { app, calls } = fixture();
    const { url } = await app.start({ port: 0 });
    started.push(app);
    const page = await fetch(`${url}/form`);
    const { token } = (await page.json()) as { token: string };
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const attack = await fetch(`${url}/transfer`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'to=attacker',
    });
    expect(attack.status).toBe(403);
    const own = await fetch(`${url}/transfer`, {
      method: 'POST',
      headers: { cookie, origin: url, 'x-csrf-token': token },
    });
    expect(own.status).toBe(200);
    expect(calls()).toBe(1);
  });

  it('warns once at start in production when tokens are signed with a per-process key', async () => {
    process.env.NODE_ENV = 'production';
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message), error() {} };
    const app = createApp({ logger });
    await app.start({ port: 0 });
    started.push(app);
    const withSecret = createApp({ logger, cookies: { secret: SECRET } });
    await withSecret.start({ port: 0 });
    started.push(withSecret);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cookies: { secret }');
  });

  it('refuses app.csrf() once the app has started', async () => {
    const app = createApp({ logger: false });
    await app.start({ port: 0 });
    started.push(app);
    expect(() => app.csrf({})).toThrow(/before app.start/);
  });
});
