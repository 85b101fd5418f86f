import { describe, expect, it } from 'vitest';
import { type Context, createApp, definePlugin } from '../src/index.ts';

const SECRET = 'a-cookie-secret-of-at-least-32-characters';

// A session plugin as @framework/auth is one: the session id comes from a cookie, and core binds
// CSRF tokens to it through `csrfSession`.
const sessions = definePlugin({
  name: 'sessions',
  setup: () => ({ csrfSession: (ctx: Context) => ctx.cookies.get('sid') }),
});

function appWithSessions() {
  const app = createApp({ logger: false, cookies: { secret: SECRET } }).use(sessions());
  app.get('/form', (ctx) => ({ token: ctx.csrfToken }));
  app.post('/transfer', () => ({ done: true }));
  return app;
}

async function tokenFor(app: ReturnType<typeof appWithSessions>, sid: string | undefined) {
  const res = await app.request('/form', { headers: sid === undefined ? {} : { cookie: `sid=${sid}` } });
  const { token } = (await res.json()) as { token: string };
  return { token, csrfCookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
}

describe("a plugin's csrfSession binds CSRF tokens to its session", () => {
  it('accepts a token in the session it was minted for', async () => {
    const app = appWithSessions();
    const { token, csrfCookie } = await tokenFor(app, 'session-a');
    const res = await app.request('/transfer', {
      method: 'POST',
      headers: { cookie: `${csrfCookie}; sid=session-a`, 'x-csrf-token': token },
    });
    expect(res.status).toBe(200);
  });

  it('refuses a token minted before a login (no session, or the session before it) after it', async () => {
    const app = appWithSessions();
    for (const before of [undefined, 'session-before-login']) {
      const { token, csrfCookie } = await tokenFor(app, before);
      const res = await app.request('/transfer', {
        method: 'POST',
        headers: { cookie: `${csrfCookie}; sid=session-after-login`, 'x-csrf-token': token },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FW_ERR_CSRF', reason: 'invalid-token' });
    }
  });

  it('and a second session plugin is an error at registration that names both', () => {
    const other = definePlugin({ name: 'other-sessions', setup: () => ({ csrfSession: () => 'x' }) });
    expect(() => appWithSessions().use(other())).toThrow(/"other-sessions" binds CSRF tokens.*"sessions" already does/);
  });
});
