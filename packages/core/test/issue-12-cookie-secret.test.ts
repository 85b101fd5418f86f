import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, definePlugin, type Logger } from '../src/index.ts';

const SECRET = 'a-cookie-secret-of-at-least-32-characters';
const saved = {
  COOKIE_SECRET: process.env.COOKIE_SECRET,
  NODE_ENV: process.env.NODE_ENV,
  FRAMEWORK_STRICT: process.env.FRAMEWORK_STRICT,
};

beforeEach(() => {
  delete process.env.COOKIE_SECRET;
  delete process.env.FRAMEWORK_STRICT;
});
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function recording(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    logger: { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message), error() {} },
  };
}

function login(app: ReturnType<typeof createApp>): void {
  app.post('/login', (ctx) => {
    ctx.cookies.set('session', 'user-1', { signed: true });
    return { ok: true };
  });
}

describe('the cookie secret (issue 12)', () => {
  it('reads COOKIE_SECRET from the environment when cookies.secret is not given', async () => {
    process.env.COOKIE_SECRET = SECRET;
    const app = createApp({ logger: false, csrf: false });
    login(app);
    app.get('/me', (ctx) => ({ session: ctx.cookies.get('session', { signed: true }) ?? null }));
    const res = await app.request('/login', { method: 'POST' });
    expect(res.status).toBe(200);
    const cookie = /session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
    expect(await (await app.request('/me', { headers: { cookie: cookie ?? '' } })).json()).toEqual({
      session: 'user-1',
    });
  });

  it('rotates with a comma-separated COOKIE_SECRET: the first signs, all verify', async () => {
    const old = 'an-old-cookie-secret-of-32-or-more-chars';
    process.env.COOKIE_SECRET = old;
    const before = createApp({ logger: false, csrf: false });
    login(before);
    const cookie = /session=[^;]+/.exec(
      (await before.request('/login', { method: 'POST' })).headers.get('set-cookie') ?? '',
    )?.[0];
    process.env.COOKIE_SECRET = `${SECRET},${old}`;
    const after = createApp({ logger: false, csrf: false });
    after.get('/me', (ctx) => ({ session: ctx.cookies.get('session', { signed: true }) ?? null }));
    expect(await (await after.request('/me', { headers: { cookie: cookie ?? '' } })).json()).toEqual({
      session: 'user-1',
    });
  });

  it('refuses a secret shorter than 32 characters at createApp(), saying how to make one', () => {
    expect(() => createApp({ logger: false, cookies: { secret: 'changeme' } })).toThrow(
      /createApp\(\{ cookies: \{ secret \} \}\) has a key of 8 characters; cookie secrets need at least 32 random characters\. Make one with node -e "console\.log\(require\('crypto'\)\.randomBytes\(32\)\.toString\('base64url'\)\)"/,
    );
    process.env.COOKIE_SECRET = 'short';
    expect(() => createApp({ logger: false })).toThrow(
      /The COOKIE_SECRET environment variable has a key of 5 characters/,
    );
    expect(() => createApp({ logger: false, cookies: { secret: [SECRET, 'old'] } })).toThrow(
      /has a key \(#2\) of 3 characters/,
    );
  });

  it('names COOKIE_SECRET and createApp({ cookies: { secret } }) when a cookie is signed without a secret', async () => {
    const app = createApp({ logger: false, csrf: false, exposeErrors: true });
    login(app);
    const res = await app.request('/login', { method: 'POST' });
    expect(res.status).toBe(500);
    const problem = (await res.json()) as { code: string; detail: string };
    expect(problem.code).toBe('FW_ERR_COOKIE_SECRET');
    expect(problem.detail).toContain(
      'set the COOKIE_SECRET environment variable or pass createApp({ cookies: { secret } })',
    );
  });
});

describe('app.requireCookieSecret() (issue 12)', () => {
  const sessions = definePlugin({
    name: 'sessions',
    setup(app) {
      app.requireCookieSecret('@framework/auth sessions');
    },
  });

  it('refuses to start without a secret, naming the feature and COOKIE_SECRET, instead of a 500 on the first login', async () => {
    const app = createApp({ logger: false });
    app.use(sessions());
    await expect(app.ready()).rejects.toThrow(
      '@framework/auth sessions signs cookies, but the app has no cookie secret. Set the COOKIE_SECRET environment variable or pass createApp({ cookies: { secret } })',
    );
    await expect(app.start({ port: 0, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'FW_ERR_COOKIE_SECRET' });
  });

  it('starts with a secret from the options or the environment', async () => {
    await createApp({ logger: false, cookies: { secret: SECRET } })
      .use(sessions())
      .ready();
    process.env.COOKIE_SECRET = SECRET;
    await createApp({ logger: false }).use(sessions()).ready();
  });
});

describe("CSRF's per-process key is a production default (issue 12)", () => {
  it('is refused at start-up in strict production mode', async () => {
    process.env.NODE_ENV = 'production';
    const app = createApp({ logger: false, strict: true });
    await expect(app.ready()).rejects.toThrow(
      /Refusing to start in production \(strict mode\)[\s\S]*CSRF tokens are signed with a random per-process key[\s\S]*Set COOKIE_SECRET/,
    );
  });

  it('is logged once in production without strict mode, and not at all with a secret or CSRF off', async () => {
    process.env.NODE_ENV = 'production';
    const { logger, warnings } = recording();
    const app = createApp({ logger });
    await app.ready();
    await app.ready();
    await createApp({ logger, cookies: { secret: SECRET } }).ready();
    await createApp({ logger, csrf: false, strict: true }).ready();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^PRODUCTION WARNING: CSRF tokens are signed with a random per-process key/);
  });
});
