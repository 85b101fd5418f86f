import { fileURLToPath } from 'node:url';
import { auth } from '@framework/auth';
import { cache } from '@framework/cache';
import { RedisRateLimitStore } from '@framework/cache/redis';
import { createApp, HttpError, NotFoundError, rateLimit } from '@framework/core';
import { database } from '@framework/db';
import { queue } from '@framework/queue';
import { z } from 'zod';
import { authOptions } from './auth.ts';
import { authRoutes } from './auth-routes.ts';
import { schema } from './schema.ts';
import type { Env } from './secrets.ts';

const NewTodo = z.object({ title: z.string().trim().min(1).max(200), done: z.boolean().default(false) });
const TodoChange = z.object({ title: z.string().trim().min(1).max(200), done: z.boolean() }).partial();
const TodoSchema = z.object({ id: z.number(), title: z.string(), done: z.boolean() });
const Id = z.object({ id: z.coerce.number().int().positive() });

/**
 * The example's app with its plugins and no routes: the database (PGlite without DATABASE_URL),
 * the cache, the queue, rate limiting (which also throttles password guessing) and auth.
 *
 * @example
 * ```ts
 * const app = createExampleApp(process.env);
 * app.get('/hello', { auth: true, handler: (ctx) => `hello ${ctx.user.name}` });
 * ```
 */
export function createExampleApp(env: Env = process.env) {
  const withCache = createApp()
    .use(
      database({
        schema,
        migrations: { directory: fileURLToPath(new URL('../migrations', import.meta.url)), runOnStart: true },
      }),
    )
    .use(cache({ ttl: 60, prefix: 'example:' }))
    // BullMQ on the cache's Redis when REDIS_URL is set; in process otherwise.
    .use(queue({ activity: { jobs: { todoCreated: z.object({ id: z.number(), title: z.string() }) } } }));
  const base = withCache.use(
    rateLimit({
      window: '1m',
      max: 600,
      // Five wrong passwords for one account or from one client block further tries for 15 minutes.
      suspicious: { failedLogins: { max: 5, window: '15m' } },
      // In Redis when the app has it, so that every instance counts the same tries.
      ...(withCache.redis === undefined ? {} : { store: new RedisRateLimitStore(withCache.redis) }),
    }),
  );
  const { options, notices } = authOptions(base.db, env, base.redis !== undefined);
  for (const notice of notices) base.logger.warn({ plugin: '@framework/example' }, notice);
  return base.use(auth(options));
}

/** The example app as `createExampleApp` makes it. */
export type ExampleApp = ReturnType<typeof createExampleApp>;

/**
 * Builds the example app: a to-do API on @framework/db and @framework/cache, with accounts from
 * @framework/auth (see `auth-routes.ts`); writing to-dos needs a signed-in user. Without
 * DATABASE_URL it runs on PGlite (in `.data/pglite` in development, in memory under tests) and
 * applies `migrations/` at start; without REDIS_URL the cache, sessions and queue are in process.
 *
 * @example
 * ```ts
 * const app = buildApp();
 * await app.start({ port: 3000 });
 * ```
 */
export function buildApp(env: Env = process.env) {
  const app = createExampleApp(env);

  // Work that does not need to hold up the response runs as a job.
  app.queues.activity.process('todoCreated', async (job) => {
    const total = await app.cache.increment('todos-created', 1, { ttl: 0 });
    return { id: job.data.id, total };
  });

  app.get('/', () => ({ name: 'framework example', routes: app.routes().map((r) => `${r.method} ${r.path}`) }));

  app.get('/todos', {
    schema: { response: { 200: z.array(TodoSchema) } },
    handler: (ctx) => ctx.db.todos.orderBy('id'),
  });

  // Counted once per minute at most, and recounted as soon as a to-do is added or changed.
  app.get('/todos/stats', (ctx) =>
    ctx.cache.wrap(
      'todo-stats',
      async () => ({ total: await ctx.db.todos.count(), done: await ctx.db.todos.where({ done: true }).count() }),
      { tags: ['todos'] },
    ),
  );

  app.get('/activity', async (ctx) => ({
    created: (await ctx.cache.get<number>('todos-created')) ?? 0,
    jobs: await ctx.queues.activity.stats(),
  }));

  app.get('/todos/:id', {
    schema: { params: Id, response: { 200: TodoSchema } },
    handler: async (ctx) => {
      const todo = await ctx.db.todos.find(ctx.params.id);
      if (!todo) throw new NotFoundError(`No to-do with id ${ctx.params.id}; list them at GET /todos.`);
      return todo;
    },
  });

  app.post('/todos', {
    auth: true,
    permissions: ['write:todos'],
    schema: { body: NewTodo, response: { 201: TodoSchema } },
    status: 201,
    handler: async (ctx) => {
      const todo = await ctx.db.todos.insert(ctx.body);
      await ctx.cache.invalidateTags(['todos']);
      await ctx.queues.activity.add('todoCreated', { id: todo.id, title: todo.title });
      return todo;
    },
  });

  app.patch('/todos/:id', {
    auth: true,
    permissions: ['write:todos'],
    schema: { params: Id, body: TodoChange, response: { 200: TodoSchema } },
    handler: async (ctx) => {
      const [todo] = await ctx.db.todos.where({ id: ctx.params.id }).update(ctx.body);
      if (!todo) throw new NotFoundError(`No to-do with id ${ctx.params.id}; list them at GET /todos.`);
      await ctx.cache.invalidateTags(['todos']);
      return todo;
    },
  });

  app.get('/teapot', () => {
    throw new HttpError(418, 'This server is a teapot; it cannot brew coffee.');
  });

  authRoutes(app);
  return app;
}
