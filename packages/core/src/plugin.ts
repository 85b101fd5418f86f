import type { App } from './app.ts';
import type { Context } from './context.ts';
import { FrameworkError } from './errors.ts';
import type { Middleware, RouteInfo } from './types.ts';

const PLUGIN = Symbol.for('@framework/core/plugin');

/**
 * A factory a plugin registers for a route option it adds (`auth: ['jwt']`, `rateLimit: {...}`).
 *
 * @example
 * ```ts
 * const requireRole: RouteOptionFactory<'admin' | 'user'> = (role) => (ctx, next) =>
 *   ctx.headers['x-role'] === role ? next() : ctx.json({ error: `needs role ${role}` }, 403);
 * // setup returns { routeOptions: { requireRole } }; then app.get('/admin', { requireRole: 'admin', handler })
 * ```
 */
export type RouteOptionFactory<Value> = (value: Value, route: RouteInfo) => Middleware | undefined;

/**
 * What a plugin's `setup` may return: typed additions to the app, the context and route options.
 *
 * @example
 * ```ts
 * const database = definePlugin({
 *   name: 'database',
 *   setup(app, options: { url: string }) {
 *     const db = connect(options.url);
 *     return { decorate: { db }, context: { db: () => db } }; // app.db and ctx.db
 *   },
 * });
 * ```
 */
export interface PluginExports {
  /** Properties added to the app: `decorate: { db }` gives `app.db`. */
  decorate?: object;
  /**
   * Properties added to every request's context, each computed on first read from the context and
   * kept for the rest of the request: `context: { db: () => db, session: (ctx) => load(ctx) }`.
   */
  context?: { [name: string]: (ctx: Context) => unknown };
  /**
   * Route options the plugin understands. Each factory is called once per route that sets the
   * option, at start-up, and returns a middleware to run for that route (or nothing).
   */
  routeOptions?: { [name: string]: RouteOptionFactory<never> };
  /**
   * Commands the plugin adds to the `framework` CLI, by name (`db:migrate`, `queue:work`); listed by
   * `app.commands()`.
   */
  commands?: { [name: string]: PluginCommand };
  /**
   * Health checks by name (`database`, `redis`): each resolves when its dependency answers and
   * rejects (or times out) when it does not. `app.health()` runs them all.
   */
  health?: { [name: string]: () => Promise<unknown> };
}

/**
 * A CLI command contributed by a plugin: `framework <name> [args]` runs it with the app set up.
 *
 * @example
 * ```ts
 * const migrate: PluginCommand = {
 *   description: 'Apply pending migrations',
 *   usage: 'db:migrate',
 *   async run(args, io) {
 *     io.stdout('applied 2 migrations');
 *     return 0;
 *   },
 * };
 * ```
 */
export interface PluginCommand {
  /** One line for `framework --help`. */
  readonly description: string;
  /** The command line, e.g. `migrate:create <name>`. */
  readonly usage: string;
  /** Runs the command; resolves to the exit code. */
  run(args: readonly string[], io: { stdout(line: string): void; stderr(line: string): void }): Promise<number>;
}

/**
 * Where a plugin's middleware, hooks and routes apply. A plugin may declare it; `app.use(plugin, scope)`
 * overrides it.
 *
 * @example
 * ```ts
 * const app = createApp().use(admin(), { scope: 'encapsulated', prefix: '/admin' });
 * ```
 */
export interface PluginScope {
  /**
   * `global` (default): middleware and hooks the plugin adds apply to the whole app.
   * `encapsulated`: they apply only to the routes the plugin itself registers.
   */
  scope?: 'global' | 'encapsulated';
  /** A path prefix for the routes and middleware the plugin registers. */
  prefix?: string;
}

/**
 * A plugin's definition.
 *
 * @example
 * ```ts
 * definePlugin({ name: 'greeter', setup: (app, options: { word: string }) => ({ decorate: { greet: () => options.word } }) });
 * ```
 */
export interface PluginDefinition<Options, Exports extends PluginExports> extends PluginScope {
  /** A unique name; registering a plugin whose name is already registered does nothing the second time. */
  name: string;
  version?: string;
  /** Names of plugins that must be registered before this one. */
  dependencies?: readonly string[];
  /** Registers routes, middleware and hooks, and returns typed decorations. May be async. */
  setup(app: App, options: Options): Exports | undefined | void | Promise<Exports | undefined | void>;
}

/**
 * A configured plugin, ready for `app.use()`: what calling a `definePlugin` factory returns.
 *
 * @example
 * ```ts
 * function useAll(app: App, plugins: PluginInstance[]): App {
 *   for (const plugin of plugins) app.use(plugin);
 *   return app;
 * }
 * ```
 */
export interface PluginInstance<Exports extends PluginExports = PluginExports> {
  readonly [PLUGIN]: true;
  readonly name: string;
  readonly version: string | undefined;
  readonly dependencies: readonly string[];
  readonly scope: PluginScope;
  /** Runs the plugin's setup against `app`. */
  readonly setup: (app: App) => Exports | undefined | void | Promise<Exports | undefined | void>;
  /** Type-only: what the plugin adds. */
  readonly exports?: Exports;
}

/**
 * The function `definePlugin` returns: call it with the plugin's options (optional when `setup`
 * does not require them). Name it to give a published plugin an explicit type.
 *
 * @example
 * ```ts
 * export const greeter: PluginFactory<{ word: string }, { decorate: { greet: () => string } }> = definePlugin({
 *   name: 'greeter',
 *   setup: (app, options: { word: string }) => ({ decorate: { greet: () => options.word } }),
 * });
 * createApp().use(greeter({ word: 'hello' })).greet(); // 'hello'
 * ```
 */
export type PluginFactory<Options, Exports extends PluginExports> = undefined extends Options
  ? (options?: Options) => PluginInstance<Exports>
  : (options: Options) => PluginInstance<Exports>;

/**
 * Declares a plugin. Users register it with `app.use(myPlugin(options))`; what `setup` returns
 * (decorations of the app and the context, route options) is typed on the app that `use` returns.
 *
 * @example
 * ```ts
 * export const clock = definePlugin({
 *   name: 'clock',
 *   version: '1.0.0',
 *   setup(app, options: { zone?: string } = {}) {
 *     app.get('/time', () => ({ now: new Date().toISOString(), zone: options.zone ?? 'UTC' }));
 *     return {
 *       decorate: { now: () => new Date() },
 *       context: { requestedAt: () => Date.now() },
 *     };
 *   },
 * });
 *
 * const app = createApp().use(clock({ zone: 'Europe/Paris' }));
 * app.now();                                      // typed
 * app.get('/t', (ctx) => ({ at: ctx.requestedAt })); // typed
 * ```
 */
export function definePlugin<Options = undefined, Exports extends PluginExports = {}>(
  definition: PluginDefinition<Options, Exports>,
): PluginFactory<Options, Exports> {
  if (typeof definition.name !== 'string' || definition.name === '') {
    throw new FrameworkError('FW_ERR_PLUGIN_INVALID', 'definePlugin() needs a non-empty `name`.');
  }
  if (typeof definition.setup !== 'function') {
    throw new FrameworkError(
      'FW_ERR_PLUGIN_INVALID',
      `Plugin "${definition.name}" needs a setup(app, options) function.`,
    );
  }
  const factory = (options?: Options): PluginInstance<Exports> => ({
    [PLUGIN]: true,
    name: definition.name,
    version: definition.version,
    dependencies: definition.dependencies ?? [],
    scope: { scope: definition.scope ?? 'global', prefix: definition.prefix ?? '' },
    setup: (app) => definition.setup(app, options as Options),
  });
  return factory as PluginFactory<Options, Exports>;
}

/**
 * True when `value` was made by a `definePlugin` factory.
 *
 * @example
 * ```ts
 * isPlugin(clock()); // true
 * ```
 */
export function isPlugin(value: unknown): value is PluginInstance {
  return typeof value === 'object' && value !== null && (value as { [PLUGIN]?: unknown })[PLUGIN] === true;
}
