// Hono 4 on @hono/node-server, body validated with @hono/zod-validator.
import { serve } from '@hono/node-server';
import { zValidator } from '@hono/zod-validator';
import { Hono } from 'hono';
import { z } from 'zod';
import { HOST, onShutdown, ready, serverPort } from './_lib.mjs';

const port = serverPort();
const app = new Hono();
const Echo = z.object({ name: z.string().min(1).max(100), age: z.int().min(0) });

const mw1 = async (c, next) => {
  c.header('x-bench', 'mw');
  c.set('hits', 1);
  await next();
};
const step = async (c, next) => {
  c.set('hits', c.get('hits') + 1);
  await next();
};

app.get('/', (c) => c.json({ hello: 'world' }));
app.get('/user/:id', (c) => c.json({ id: c.req.param('id'), name: 'user' }));
app.post('/echo', zValidator('json', Echo), (c) => c.json(c.req.valid('json')));
app.get('/mw', mw1, step, step, step, step, (c) => c.json({ middlewares: c.get('hits') }));

const server = serve({ fetch: app.fetch, port, hostname: HOST }, () => ready('hono', port));
onShutdown(() => new Promise((resolve) => server.close(() => resolve())));
