// Express 5: express.json() for the body, zod inside the handler.
import express from 'express';
import { z } from 'zod';
import { HOST, onShutdown, ready, serverPort } from './_lib.mjs';

const port = serverPort();
const app = express();
const Echo = z.object({ name: z.string().min(1).max(100), age: z.int().min(0) });

const mw1 = (req, res, next) => {
  res.setHeader('x-bench', 'mw');
  req.hits = 1;
  next();
};
const step = (req, _res, next) => {
  req.hits += 1;
  next();
};

app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});
app.get('/user/:id', (req, res) => {
  res.json({ id: req.params.id, name: 'user' });
});
app.post('/echo', express.json(), (req, res) => {
  const result = Echo.safeParse(req.body);
  if (!result.success) {
    res.status(400).json({ error: 'invalid body', issues: result.error.issues });
    return;
  }
  res.json(result.data);
});
app.get('/mw', mw1, step, step, step, step, (req, res) => {
  res.json({ middlewares: req.hits });
});

const server = app.listen(port, HOST, (error) => {
  if (error) throw error;
  ready('express', port);
});
onShutdown(() => new Promise((resolve) => server.close(() => resolve())));
