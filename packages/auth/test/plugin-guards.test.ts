import { request } from 'node:http';
import { createApp, rateLimit } from '@framework/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auth, defineRoles } from '../src/index.ts';
import { authApp } from './plugin-fixture.ts';

/** A request with the target exactly as written: no client normalises the path. */
function raw(url: string, target: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path: target, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('route guards run after routing, on the path the router matched', () => {
  const { app, users } = authApp('memory');
  let url: string;
  let userToken: string;

  beforeAll(async () => {
    users.set('1', {
      id: 1,
      email: 'a@example.com',
      name: 'A',
      roles: ['admin'],
      passwordHash: await app.auth.passwords.hash('password-a'),
    });
    users.set('2', {
      id: 2,
      email: 'u@example.com',
      name: 'U',
      roles: ['user'],
      passwordHash: await app.auth.passwords.hash('password-u'),
    });
    url = (await app.start({ port: 0, host: '127.0.0.1' })).url;
    const tokens = app.auth.tokens;
    if (tokens === undefined) throw new Error('jwt is configured');
    userToken = (await tokens.issue({ id: '2', roles: ['user'], name: 'U' })).accessToken;
  });
  afterAll(() => app.stop());

  // Each spelling either reaches the admin route, and then its guard, or no route: never the list.
  const tricks = [
    '/admin/users',
    '/admin%2Fusers',
    '/admin%2fusers',
    '//admin/users',
    '/ADMIN/users',
    '/Admin/Users',
    '/admin/users/',
    '/%61dmin/users',
    '/admin/./users',
    '/admin/x/../users',
    '/admin/users;.css',
    '/admin/users%00',
    '/admin/users?x=/../../public',
    'http://evil.example/admin/users',
  ];

  it.each(tricks)('%s without credentials: 401 or no route, never the admin list', async (target) => {
    const { status, body } = await raw(url, target);
    expect([400, 401, 404]).toContain(status);
    expect(body).not.toContain('a@example.com');
  });

  it.each(tricks)("%s with a user's token: 403 or no route, never the admin list", async (target) => {
    const { status, body } = await raw(url, target, { authorization: `Bearer ${userToken}` });
    expect([400, 403, 404]).toContain(status);
    expect(body).not.toContain('a@example.com');
  });

  it('guards the automatic HEAD of a guarded GET the same way, with no body', async () => {
    const head = await raw(url, '/admin/users', {}, 'HEAD');
    expect(head).toEqual({ status: 401, body: '' });
    const forbidden = await raw(url, '/admin/users', { authorization: `Bearer ${userToken}` }, 'HEAD');
    expect(forbidden).toEqual({ status: 403, body: '' });
  });
});

describe('authentication comes before the body', () => {
  it('answers 401 to a client without credentials whatever its body, without parsing or validating it', async () => {
    const app = createApp({ logger: false }).use(auth({ strategies: { jwt: { secret: 'x'.repeat(32) } } }));
    let parsed = 0;
    app.post('/items', {
      auth: ['jwt'],
      schema: {
        body: z.object({
          name: z.string().refine(() => {
            parsed++;
            return true;
          }),
        }),
      },
      handler: (ctx) => ({ name: ctx.body.name }),
    });
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.request('/items', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    for (const body of ['{not json', '{"name": 42}', '{"name": "ok"}']) {
      const res = await post(body);
      expect(res.status, body).toBe(401);
      expect(JSON.stringify(await res.json())).not.toContain('name');
    }
    expect(parsed).toBe(0);
    const tokens = app.auth.tokens;
    if (tokens === undefined) throw new Error('jwt is configured');
    const { accessToken } = await tokens.issue({ id: '1', roles: [] });
    expect((await post('{"name": 42}', { authorization: `Bearer ${accessToken}` })).status).toBe(400);
    expect(await (await post('{"name": "ok"}', { authorization: `Bearer ${accessToken}` })).json()).toEqual({
      name: 'ok',
    });
  });
});

describe("failed sign-ins feed core's rate limiter", () => {
  it('also when rateLimit() is registered after auth()', async () => {
    const app = createApp({ logger: false })
      .use(auth({ strategies: { session: { secret: 's'.repeat(32) } } }))
      .use(rateLimit({ max: 10_000, suspicious: { failedLogins: { max: 3, window: '5m', action: 'block' } } }));
    const stored = await app.auth.passwords.hash('right password');
    app.post('/login', {
      schema: { body: z.object({ password: z.string() }) },
      handler: async (ctx) => {
        const { ok } = await app.auth.verifyPassword(ctx, { account: 'ada', stored, password: ctx.body.password });
        return ok ? { ok } : ctx.json({ ok }, 401);
      },
    });
    const attempt = (password: string) =>
      app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password }),
      });
    for (let index = 0; index < 3; index++) expect((await attempt('guess')).status).toBe(401);
    expect((await attempt('right password')).status).toBe(429);
  });
});

describe('misconfiguration fails at start-up, naming the option and what to write', () => {
  it('a route naming a strategy auth() does not configure', async () => {
    const app = createApp({ logger: false }).use(auth({ strategies: { session: {} } }));
    // Types refuse it too; a route built from plain JavaScript meets the same check at start-up.
    const route: Record<string, unknown> = { auth: ['jwt'], handler: () => 'x' };
    app.get('/x', route as { handler: () => string });
    await expect(app.ready()).rejects.toThrow(
      /sets auth to "jwt", which auth\(\) does not configure; configured: session/,
    );
  });

  it('a permission with a wildcard, or a role the definition lacks', async () => {
    const roles = defineRoles({ admin: ['*'], user: ['read:*'] });
    for (const permissions of [['write:*'], ['superuser']]) {
      const app = createApp({ logger: false }).use(auth({ strategies: { session: {} }, roles }));
      const route: Record<string, unknown> = { auth: true, permissions, handler: () => 'x' };
      app.get('/x', route as { handler: () => string });
      await expect(app.ready()).rejects.toThrow(
        permissions[0] === 'write:*' ? /cannot be a wildcard/ : /not a role of defineRoles/,
      );
    }
  });

  it("store: 'redis' without the app's Redis", () => {
    expect(() => createApp({ logger: false }).use(auth({ strategies: { session: {} }, store: 'redis' }))).toThrow(
      /auth\(\{ store \}\) is 'redis', but the app has no Redis connection: register @framework\/cache with one first/,
    );
  });

  it('an unknown option, with "did you mean"', () => {
    const options: Record<string, unknown> = { strategies: { session: {} }, findUsr: () => undefined };
    expect(() => auth(options as { strategies: { session: object } })).toThrow(/findUsr.*findUser/);
  });

  it('refresh tokens or API keys without findUser', () => {
    expect(() =>
      createApp({ logger: false }).use(
        auth({ strategies: { jwt: { secret: 'x'.repeat(32), refresh: { enabled: true } } } }),
      ),
    ).toThrow(/needs findUser/);
    expect(() => createApp({ logger: false }).use(auth({ strategies: { apiKey: {} } }))).toThrow(/needs findUser/);
  });

  it('a session secret missing in production', () => {
    const before = { env: process.env.NODE_ENV, secret: process.env.SESSION_SECRET };
    process.env.NODE_ENV = 'production';
    delete process.env.SESSION_SECRET;
    try {
      expect(() => createApp({ logger: false }).use(auth({ strategies: { session: {} } }))).toThrow(/SESSION_SECRET/);
    } finally {
      process.env.NODE_ENV = before.env;
      if (before.secret !== undefined) process.env.SESSION_SECRET = before.secret;
    }
  });
});

describe('the commands auth adds', () => {
  it('auth:keys:create prints a key that authenticates; auth:sessions:clear ends the sessions of a user', async () => {
    const { app, users } = authApp('memory');
    users.set('7', { id: 7, email: 'ci@example.com', name: 'CI', roles: ['user'], passwordHash: '' });
    app.get('/whoami', { auth: ['apiKey'], handler: (ctx) => ({ id: ctx.user.id }) });
    app.post('/session-of/:id', async (ctx) => {
      await ctx.login({ id: Number(ctx.params.id), email: '', name: '', roles: [], passwordHash: '' });
      return 'in';
    });
    await app.ready();
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (line: string) => out.push(line), stderr: (line: string) => err.push(line) };
    const create = app.commands().get('auth:keys:create');
    expect(await create?.run(['ci', '--user', '7', '--permissions', 'read:reports'], io)).toBe(0);
    const key = out.at(-1) ?? '';
    expect(await (await app.request('/whoami', { headers: { 'x-api-key': key } })).json()).toEqual({ id: '7' });
    expect(await create?.run(['--user', '7'], io)).toBe(1);
    expect(err.at(-1)).toContain('Usage: framework auth:keys:create <name> --user <id>');

    const login = await app.request('/session-of/7', { method: 'POST' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await app.request('/me', { headers: { cookie } })).status).toBe(200);
    expect(await app.commands().get('auth:sessions:clear')?.run(['7'], io)).toBe(0);
    expect((await app.request('/me', { headers: { cookie } })).status).toBe(401);
    await app.stop();
  });
});
