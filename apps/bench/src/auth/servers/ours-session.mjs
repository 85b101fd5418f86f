// @framework/core + @framework/cache + @framework/auth, GET /me with `auth: ['session']`: a signed
// session cookie, the session read from Redis (`store: 'redis'`, the app's `app.redis`), ctx.user
// answered.
import { auth } from '@framework/auth';
import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { HOST, onShutdown, ready, serverPort, unavailable } from '../../servers/_lib.mjs';
import { COOKIE_SECRET, redisUrlFromEnv, SESSION_SECRET, USER } from '../common.mjs';

const port = serverPort();
const redis = redisUrlFromEnv(unavailable);
const app = createApp({ cookies: { secret: COOKIE_SECRET } })
  .use(cache({ redis, env: {} }))
  .use(
    auth({
      strategies: { session: { store: 'redis', secret: SESSION_SECRET } },
      store: 'redis',
      serialize: (user) => ({ id: user.id, roles: user.roles, name: user.name }),
    }),
  );
// The login opens the session whose cookie the load sends (called once, before any measurement).
app.get('/csrf', (ctx) => ({ token: ctx.csrfToken }));
app.post('/login', async (ctx) => {
  await ctx.login(USER, { strategy: 'session' });
  return { ok: true };
});
app.get('/me', { auth: ['session'], handler: (ctx) => ({ user: ctx.user }) });
await app.start({ port, host: HOST });
onShutdown(() => app.stop());
ready('ours-session', port);
