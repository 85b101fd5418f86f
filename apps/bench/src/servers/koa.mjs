// Koa 3 with @koa/router and @koa/bodyparser, zod inside the handler.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { z } from 'zod';
import { HOST, onShutdown, ready, serverPort } from './_lib.mjs';

const port = serverPort();
const app = new Koa();
const router = new Router();
const Echo = z.object({ name: z.string().min(1).max(100), age: z.int().min(0) });

const mw1 = (ctx, next) => {
  ctx.set('x-bench', 'mw');
  ctx.state.hits = 1;
  return next();
};
const step = (ctx, next) => {
  ctx.state.hits += 1;
  return next();
};

router.get('/', (ctx) => {
  ctx.body = { hello: 'world' };
});
router.get('/user/:id', (ctx) => {
  ctx.body = { id: ctx.params.id, name: 'user' };
});
router.post('/echo', bodyParser(), (ctx) => {
  const result = Echo.safeParse(ctx.request.body);
  if (!result.success) {
    ctx.status = 400;
    ctx.body = { error: 'invalid body', issues: result.error.issues };
    return;
  }
  ctx.body = result.data;
});
router.get('/mw', mw1, step, step, step, step, (ctx) => {
  ctx.body = { middlewares: ctx.state.hits };
});
app.use(router.routes()).use(router.allowedMethods());

const server = app.listen(port, HOST, () => ready('koa', port));
onShutdown(() => new Promise((resolve) => server.close(() => resolve())));
