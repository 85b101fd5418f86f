import { definePlugin, type PluginInstance } from '@framework/core';
import { createDatabase, type Database, type DatabaseOptions } from './database.ts';
import type { AnyTable } from './model.ts';
import { detectsNPlusOne } from './perf/n-plus-one.ts';

/** What `app.use(database(...))` adds: `app.db` and `ctx.db`, typed by the schema. */
export interface DatabaseExports<S extends Record<string, AnyTable>> {
  decorate: { db: Database<S> };
  context: { db: () => Database<S> };
}

/**
 * The database as a plugin: connects while the app starts (PGlite when no URL is configured),
 * gives every handler a typed `ctx.db` and the app `app.db`, and closes the pool when the app
 * stops, after in-flight requests finished.
 *
 * @example
 * ```ts
 * import { createApp } from '@framework/core';
 * import { database } from '@framework/db';
 * import { users } from './schema.ts';
 *
 * const app = createApp().use(database({ schema: { users } }));
 * app.get('/users/:id', async (ctx) => (await ctx.db.users.find(Number(ctx.params.id))) ?? ctx.status(404).json({}));
 * ```
 */
export function database<S extends Record<string, AnyTable>>(
  options: DatabaseOptions<S>,
): PluginInstance<DatabaseExports<S>> {
  const plugin = definePlugin<DatabaseOptions<S>, DatabaseExports<S>>({
    name: '@framework/db',
    async setup(app, settings) {
      const db = await createDatabase(settings);
      app.onClose(() => db.close());
      // One N+1 scope per request, only where detection is on (development by default): with it
      // off, nothing is added to the request path.
      if (detectsNPlusOne(settings)) app.use((_ctx, next) => db.track(() => next()));
      return { decorate: { db }, context: { db: () => db } };
    },
  });
  return plugin(options);
}
