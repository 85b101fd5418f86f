import {
  checkOptions,
  definePlugin,
  type KnownOptions,
  type PluginCommand,
  type PluginInstance,
} from '@framework/core';
import { connectionError } from './connection-errors.ts';
import {
  checkDatabaseOptions,
  DATABASE_OPTIONS,
  type Database,
  type DatabaseOptions,
  openDatabase,
} from './database.ts';
import { migrationCommands } from './migrations/commands.ts';
import { createMigrator } from './migrations/migrator.ts';
import { detectsNPlusOne } from './perf/n-plus-one.ts';
import type { RelationMap } from './relations.ts';
import type { AnyTable } from './types.ts';

/** What `app.use(database(...))` adds: `app.db` and `ctx.db`, typed by the schema, and the migration commands. */
export interface DatabaseExports<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}> {
  decorate: { db: Database<S, R> };
  context: { db: () => Database<S, R> };
  commands: Record<string, PluginCommand>;
  health: { database: () => Promise<number> };
}

/** Options of the `database()` plugin: the database's, plus where migrations live. */
export type DatabasePluginOptions<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}> = DatabaseOptions<
  S,
  R
> & {
  /**
   * Migrations for the `db:*` and `migrate:*` commands (default directory `migrations`, seeds in
   * `seeds`). `runOnStart: true` applies pending migrations while the app starts (convenient in
   * development and for PGlite; in production prefer `framework db:migrate` in the deploy step).
   */
  migrations?: { directory?: string; seeds?: string; schema?: string; runOnStart?: boolean };
};

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
export function database<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}>(
  options: DatabasePluginOptions<S, R>,
): PluginInstance<DatabaseExports<S, R>> {
  // The plugin is untyped in the schema; this wrapper gives the app the `db` that `schema` describes.
  return plugin(options as DatabasePluginOptions<Record<string, AnyTable>>) as PluginInstance<DatabaseExports<S, R>>;
}

const plugin = definePlugin({
  name: '@framework/db',
  setup(app, settings: DatabasePluginOptions<Record<string, AnyTable>>): DatabaseExports<Record<string, AnyTable>> {
    checkDatabaseOptions('database()', settings, PLUGIN_OPTIONS);
    checkOptions('database({ migrations })', settings.migrations, {
      directory: true,
      seeds: true,
      schema: true,
      runOnStart: true,
    });
    const { migrations = {}, ...databaseOptions } = settings;
    const opened = openDatabase({
      logger: app.logger,
      exposeErrors: app.exposeErrors,
      ...databaseOptions,
    });
    const { db, label } = opened;
    if (opened.implicitPglite) {
      app.productionDefault({
        what: `@framework/db: DATABASE_URL is unset, so the data goes to the embedded PGlite database in ${
          settings.pglite?.dataDir === false ? 'memory' : `the folder ${settings.pglite?.dataDir ?? '.data/pglite'}`
        }`,
        fix: "Set DATABASE_URL=postgres://user:password@host:5432/app, or choose PGlite explicitly with database({ driver: 'pglite' })",
      });
    }
    app.onClose(() => db.close());
    const directory = migrations.directory ?? 'migrations';
    app.onReady(async () => {
      await opened.ready;
      // Reach the server now, so that a wrong or unreachable URL fails the start with the reason,
      // not the first request with a 503.
      if (label !== undefined) {
        await db.client.query('select 1').catch((error: unknown) => {
          throw connectionError(error, label);
        });
      }
      if (migrations.runOnStart) await createMigrator({ client: db.client, directory }).latest();
    });
    // One N+1 scope per request, only where detection is on (development by default): with it
    // off, nothing is added to the request path.
    if (detectsNPlusOne(settings)) app.use((_ctx, next) => db.track(() => next()));
    const commands = migrationCommands({
      client: db.client,
      directory,
      seeds: migrations.seeds,
      schema: migrations.schema,
    });
    return { decorate: { db }, context: { db: () => db }, commands, health: { database: () => db.ping() } };
  },
});

const PLUGIN_OPTIONS: KnownOptions<DatabasePluginOptions<Record<string, AnyTable>>> = {
  ...DATABASE_OPTIONS,
  migrations: true,
};
