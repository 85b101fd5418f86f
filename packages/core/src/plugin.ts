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
export type RouteOptionFactory<Value> = (value: Value, route: RouteInfo) => Middleware | RouteCheck | undefined;

/**
 * What a route option may return instead of a middleware: a check that runs before the request's
 * body is read and validated (after the `onRequest` hooks), and refuses by throwing. Authentication
 * is one: a client without credentials gets its 401 without the body being read, and never learns
 * from a validation error what the route expects.
 *
 * @example
 * ```ts
 * const requireKey: RouteOptionFactory<string> = (key) => ({
 *   check: (ctx) => {
 *     if (ctx.headers['x-key'] !== key) throw new UnauthorizedError('Send the x-key header.');
 *   },
 * });
 * ```
 */
export interface RouteCheck {
  readonly check: (ctx: Context) => unknown;
}

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
  /**
   * For a plugin that keeps sessions: the request's session id (synchronous, from its cookie), to
   * which core binds CSRF tokens, so a token minted before a login is refused after it.
   */
  csrfSession?: (ctx: Context) => string | undefined;
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
 * A decoration of the app that a plugin reads in `setup` (`app.redis`, `app.db`), declared in
 * `definePlugin({ requires })`: a type guard that checks the value, whether the plugin works without
 * it, and what provides it (for the error message). A bare type guard is a required decoration.
 *
 * @example
 * ```ts
 * const isPool = (value: unknown): value is Pool => value instanceof Pool;
 * const reports = definePlugin({
 *   name: 'reports',
 *   requires: { pool: { is: isPool, from: 'the database plugin (app.use(database()))' } },
 *   setup(app) {
 *     app.get('/reports', () => app.pool.query('select * from reports')); // app.pool: Pool
 *   },
 * });
 * ```
 */
export interface DecorationRequirement<T = unknown> {
  /** Checks the decoration's value; its type is what `setup` sees. */
  readonly is: (value: unknown) => value is T;
  /** `true` when the plugin works without it: `setup` sees `T | undefined`. Default `false`. */
  readonly optional?: boolean;
  /** What provides it, named in the start-up error when it is missing, e.g. `'@framework/cache (app.use(cache()))'`. */
  readonly from?: string;
}

/**
 * The decorations a plugin requires, by name: each a `DecorationRequirement` or a bare type guard.
 *
 * @example
 * ```ts
 * const requires = { redis: { is: isRedis, optional: true }, clock: isClock } satisfies DecorationRequirements;
 * ```
 */
export type DecorationRequirements = {
  readonly [name: string]: DecorationRequirement | ((value: unknown) => value is unknown);
};

type Guarded<R> = R extends (value: unknown) => value is infer T
  ? T
  : R extends { is: (value: unknown) => value is infer T }
    ? T
    : never;
type IsOptional<R> = R extends { optional: true } ? true : false;

/**
 * The app decorations that requirements `R` guarantee to a plugin's `setup`: required ones typed by
 * their guard, optional ones possibly `undefined`.
 *
 * @example
 * ```ts
 * type Seen = RequiredDecorations<{ redis: { is: typeof isRedis; optional: true }; clock: typeof isClock }>;
 * // { readonly clock: Clock } & { readonly redis?: Redis | undefined }
 * ```
 */
export type RequiredDecorations<R> = {
  readonly [K in keyof R as IsOptional<R[K]> extends true ? never : K]: Guarded<R[K]>;
} & { readonly [K in keyof R as IsOptional<R[K]> extends true ? K : never]?: Guarded<R[K]> | undefined };

/**
 * A plugin's definition.
 *
 * @example
 * ```ts
 * definePlugin({ name: 'greeter', setup: (app, options: { word: string }) => ({ decorate: { greet: () => options.word } }) });
 * ```
 */
export interface PluginDefinition<Options, Exports extends PluginExports, Requires extends DecorationRequirements = {}>
  extends PluginScope {
  /**
   * A unique name. Registering it again with equal options does nothing the second time (two
   * plugins may both register a common one); with different options it is an error.
   */
  name: string;
  version?: string;
  /** Names of plugins that must be registered before this one. */
  dependencies?: readonly string[];
  /**
   * Decorations of the app that `setup` reads, by name, with a type guard each: `setup` receives
   * the app typed with them, `app.use()` of the plugin on an app that lacks a required one is a
   * type error, and at registration a missing or wrong one is an error naming what provides it.
   */
  requires?: Requires;
  /** Registers routes, middleware and hooks, and returns typed decorations. May be async. */
  setup(
    app: App<RequiredDecorations<Requires>>,
    options: Options,
  ): Exports | undefined | void | Promise<Exports | undefined | void>;
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
export interface PluginInstance<Exports extends PluginExports = PluginExports, Needs = {}> {
  readonly [PLUGIN]: true;
  readonly name: string;
  readonly version: string | undefined;
  readonly dependencies: readonly string[];
  /** The decorations the plugin requires, checked when it is registered. */
  readonly requires: DecorationRequirements;
  /** The options it was configured with, compared when the same plugin is registered twice. */
  readonly options: unknown;
  readonly scope: PluginScope;
  /** Runs the plugin's setup against `app`. */
  readonly setup: (app: App) => Exports | undefined | void | Promise<Exports | undefined | void>;
  /** Type-only: what the plugin adds. */
  readonly exports?: Exports;
  /** Type-only: the app decorations the plugin requires. */
  readonly needs?: Needs;
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
export type PluginFactory<Options, Exports extends PluginExports, Needs = {}> = undefined extends Options
  ? (options?: Options) => PluginInstance<Exports, Needs>
  : (options: Options) => PluginInstance<Exports, Needs>;

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
export function definePlugin<
  Options = undefined,
  Exports extends PluginExports = {},
  const Requires extends DecorationRequirements = {},
>(
  definition: PluginDefinition<Options, Exports, Requires>,
): PluginFactory<Options, Exports, RequiredDecorations<Requires>> {
  if (typeof definition.name !== 'string' || definition.name === '') {
    throw new FrameworkError('FW_ERR_PLUGIN_INVALID', 'definePlugin() needs a non-empty `name`.');
  }
  if (typeof definition.setup !== 'function') {
    throw new FrameworkError(
      'FW_ERR_PLUGIN_INVALID',
      `Plugin "${definition.name}" needs a setup(app, options) function.`,
    );
  }
  const requires: DecorationRequirements = definition.requires ?? {};
  for (const [name, requirement] of Object.entries(requires)) {
    if (typeof requirement !== 'function' && typeof requirement?.is !== 'function') {
      throw new FrameworkError(
        'FW_ERR_PLUGIN_INVALID',
        `Plugin "${definition.name}" requires "${name}" without a check: write requires: { ${name}: isX } or { ${name}: { is: isX, optional: true } } with a type guard (value: unknown) => value is X.`,
      );
    }
  }
  const factory = (options?: Options): PluginInstance<Exports, RequiredDecorations<Requires>> => ({
    [PLUGIN]: true,
    name: definition.name,
    version: definition.version,
    dependencies: definition.dependencies ?? [],
    requires,
    options,
    scope: { scope: definition.scope ?? 'global', prefix: definition.prefix ?? '' },
    // The registry checks `requires` against the app before it calls this, so the app has them.
    setup: (app) => definition.setup(app as App<RequiredDecorations<Requires>>, options as Options),
  });
  return factory as PluginFactory<Options, Exports, RequiredDecorations<Requires>>;
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
