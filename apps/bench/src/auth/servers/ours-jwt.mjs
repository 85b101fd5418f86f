// @framework/core + @framework/auth, GET /me with `auth: ['jwt']`: an HS256 access token in
// `Authorization: Bearer`, verified by the auth() plugin (jose), ctx.user answered. The store is the
// default (memory): the revocation checks of every verify read it.
import { auth } from '@framework/auth';
import { createApp } from '@framework/core';
import { HOST, onShutdown, ready, serverPort } from '../../servers/_lib.mjs';
import { COOKIE_SECRET, JWT_SECRET, USER } from '../common.mjs';

const port = serverPort();
const app = createApp({ cookies: { secret: COOKIE_SECRET } }).use(
  auth({
    strategies: { jwt: { secret: JWT_SECRET, algorithm: 'HS256', expiresIn: '1h' } },
    serialize: (user) => ({ id: user.id, roles: user.roles, name: user.name }),
  }),
);
// Mints the token the load sends (called once, before any measurement).
app.post('/login', async (ctx) => (await ctx.login(USER, { strategy: 'jwt' })).tokens);
app.get('/me', { auth: ['jwt'], handler: (ctx) => ({ user: ctx.user }) });
await app.start({ port, host: HOST });
onShutdown(() => app.stop());
ready('ours-jwt', port);
