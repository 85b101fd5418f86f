// @framework/core, GET /me without auth: the same handler as the auth servers, answering a constant
// user. No auth plugin at all: what the auth servers cost on top of this is the whole cost of auth.
import { createApp } from '@framework/core';
import { HOST, onShutdown, ready, serverPort } from '../../servers/_lib.mjs';
import { COOKIE_SECRET, USER } from '../common.mjs';

const port = serverPort();
const app = createApp({ cookies: { secret: COOKIE_SECRET } });
app.get('/me', () => ({ user: USER }));
await app.start({ port, host: HOST });
onShutdown(() => app.stop());
ready('ours-noauth', port);
