// The app both of our servers run (node:http driver and uws driver): the four benchmark routes,
// written the way the @framework/core README writes them. createApp() keeps every default on
// (security headers, body limits, timeouts, safe JSON parsing); nothing is turned off here.
import { z } from 'zod';

/**
 * Loads @framework/core: the TypeScript source through the workspace link (Node 24 strips the
 * types), or, when FRAMEWORK_CORE_ENTRY is set (Node 20), the build the harness made with tsc.
 */
export async function loadCore() {
  const entry = process.env.FRAMEWORK_CORE_ENTRY;
  return entry ? import(entry) : import('@framework/core');
}

const Echo = z.object({ name: z.string().min(1).max(100), age: z.int().min(0) });

// Five middleware, each doing something small but real: the first sets a response header, every
// one of them extends the context (the framework's typed `next(extension)`).
const mw1 = async (ctx, next) => {
  ctx.header('x-bench', 'mw');
  return next({ hits: 1 });
};
const mw2 = async (ctx, next) => next({ hits: ctx.hits + 1 });
const mw3 = async (ctx, next) => next({ hits: ctx.hits + 1 });
const mw4 = async (ctx, next) => next({ hits: ctx.hits + 1 });
const mw5 = async (ctx, next) => next({ hits: ctx.hits + 1 });

export function buildApp(createApp) {
  const app = createApp();
  app.get('/', () => ({ hello: 'world' }));
  app.get('/user/:id', (ctx) => ({ id: ctx.params.id, name: 'user' }));
  app.post('/echo', { schema: { body: Echo }, handler: (ctx) => ctx.body });
  app.get('/mw', { middlewares: [mw1, mw2, mw3, mw4, mw5], handler: (ctx) => ({ middlewares: ctx.hits }) });
  return app;
}
