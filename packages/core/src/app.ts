import type { AppTimeOptions, AppOptions as CoreOptions, ProductionDefault } from './app-options.ts';
import type { Context, HttpMethod } from './context.ts';
import type { Duration } from './duration.ts';
import type { Logger } from './logger.ts';
import type { PluginCommand, PluginExports, PluginInstance, PluginScope } from './plugin.ts';
import type { Reply } from './reply.ts';
import type { CsrfOptions } from './security/csrf.ts';
import type { SecurityOptions } from './security/headers.ts';
import type { ServerAddress, StartOptions } from './server/types.ts';
import type {
  AnyMiddleware,
  ContextFor,
  Handler,
  JoinPath,
  Next,
  RouteConfig,
  RouteMeta,
  RouteSchema,
} from './types.ts';

export type { ProductionDefault } from './app-options.ts';
export type { Logger } from './logger.ts';

/**
 * Options for `createApp()`. Every one has a safe default.
 *
 * @example
 * ```ts
 * createApp({ bodyLimit: 5 * 1024 * 1024, cookies: { secret: process.env.COOKIE_SECRET }, csrf: { exclude: ['/webhook/*'] } });
 * ```
 */
export interface AppOptions extends Omit<CoreOptions, keyof AppTimeOptions>, AppTimeOptions {
  /**
   * CSRF protection for cookie-authenticated unsafe requests. On by default; options
   * configure it, `false` turns it off.
   */
  csrf?: boolean | CsrfOptions;
}

type DecorationsOf<X> = X extends { decorate: infer T } ? (T extends object ? T : {}) : {};
type PluginContextOf<X> = X extends { context: infer T }
  ? { readonly [K in keyof T]: T[K] extends (...args: never[]) => infer R ? R : never }
  : {};
type RouteOptionsOf<X> = X extends { routeOptions: infer T }
  ? { [K in keyof T]: T[K] extends (value: infer V, ...rest: never[]) => unknown ? V : never }
  : {};

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/**
 * `{}` when the app's decorations `D` give the plugin every decoration it requires (`N`), with its
 * type, else a property naming the missing ones, so `app.use(plugin)` fails to compile with their names.
 */
type MissingDecorations<D, N> = [UnmetKeys<D, N>] extends [never]
  ? {}
  : { readonly 'register first the plugins that decorate the app with': UnmetKeys<D, N> };
/** The decorations `N` requires that `D` lacks or has with another type. */
type UnmetKeys<D, N> = {
  [K in RequiredKeys<N>]: K extends keyof D ? (D[K] extends N[K] ? never : K) : K;
}[RequiredKeys<N>];

/**
 * The context handlers see on app `A`: the request context plus what its plugins and `app.use()`
 * middleware add. Name it to write middleware or helpers for that app outside a route.
 *
 * @example
 * ```ts
 * const app = createApp().use(cache());
 * type AppContext = ContextOf<typeof app>;
 * const noStore: Middleware<AppContext> = async (ctx, next) => {
 *   await ctx.cache.delete(`page:${ctx.path}`); // ctx.cache is typed
 *   return next();
 * };
 * app.get('/page', { middlewares: [noStore], handler: () => 'fresh' });
 * ```
 */
export type ContextOf<A> = A extends AppApi<infer _D, infer C, infer _RO, infer _Prefix> ? Context & C : never;

/**
 * What `app.health()` reports: `down` when any check failed or timed out.
 *
 * @example
 * ```ts
 * const report: HealthReport = await app.health();
 * if (report.status === 'down') console.error(report.checks);
 * ```
 */
export interface HealthReport {
  status: 'up' | 'down';
  checks: Record<string, { status: 'up' | 'down'; ms: number; error?: string }>;
}

/**
 * Registers a route for one method; returns the app for chaining. Takes a handler, or a route
 * config with `schema`, `middlewares`, `handler`, `meta`, `status` and `bodyLimit`.
 *
 * @example
 * ```ts
 * app
 *   .get('/users/:id', (ctx) => ({ id: ctx.params.id }))
 *   .post('/users', { status: 201, handler: (ctx) => ({ created: ctx.body }) });
 * ```
 */
export interface RouteMethod<Self, C, RO, Prefix extends string> {
  <const Path extends string>(path: Path, handler: Handler<ContextFor<JoinPath<Prefix, Path>, {}> & C>): Self;
  <const Path extends string, const M extends readonly AnyMiddleware[], S extends RouteSchema = {}>(
    path: Path,
    config: RouteConfig<JoinPath<Prefix, Path>, S, M, C, RO>,
  ): Self;
}

/**
 * A route declared in one object, as `app.route()` takes it.
 *
 * @example
 * ```ts
 * app.route({
 *   method: 'PUT',
 *   path: '/users/:id',
 *   schema: { body: z.object({ name: z.string() }) },
 *   handler: async (ctx) => updateUser(ctx.params.id, ctx.body),
 * });
 * ```
 */
export type RouteDefinition<Path extends string, S extends RouteSchema, M extends readonly AnyMiddleware[], C, RO> = {
  method: HttpMethod | 'ALL' | readonly HttpMethod[];
  path: Path;
} & RouteConfig<Path, S, M, C, RO>;

/**
 * A hook that runs for every request before the route's middleware; returning a value answers the request.
 *
 * @example
 * ```ts
 * app.onRequest((ctx) => {
 *   if (maintenance) return ctx.text('Down for maintenance, back soon.', 503);
 * });
 * ```
 */
export type RequestHook<C> = (ctx: Context & C) => unknown;
/**
 * A hook that sees every reply before it is sent; it may change it or return a replacement.
 *
 * @example
 * ```ts
 * app.onResponse((ctx, reply) => {
 *   console.log(`${ctx.method} ${ctx.path} -> ${reply.status}`);
 * });
 * ```
 */
export type ResponseHook<C> = (ctx: Context & C, reply: Reply) => unknown;
/**
 * A hook told about every error before the error handler answers it (for logs and error trackers).
 *
 * @example
 * ```ts
 * app.hook('onError', (error, ctx) => {
 *   tracker.capture(error, { method: ctx.method, path: ctx.path });
 * });
 * ```
 */
export type ErrorHook<C> = (error: unknown, ctx: Context & C) => unknown;

/**
 * The hooks `app.hook(name, fn)` accepts.
 *
 * @example
 * ```ts
 * app.hook('onStart', (address) => console.log(`listening on ${address.url}`));
 * app.hook('onClose', () => pool.end());
 * ```
 */
export interface HookTypes<C> {
  onRequest: RequestHook<C>;
  onResponse: ResponseHook<C>;
  onError: ErrorHook<C>;
  onReady: () => unknown;
  onStart: (address: ServerAddress) => unknown;
  onClose: () => unknown;
}

/**
 * A registered route, as `app.routes()` lists it: what `framework routes` prints.
 *
 * @example
 * ```ts
 * await app.ready(); // plugins have registered their routes
 * for (const route of app.routes()) {
 *   // GET /admin/users 2 middleware, schemas query,response, options auth
 *   console.log(route.method, route.path, `${route.middlewares} middleware`, route.schemas, route.options);
 * }
 * ```
 */
export interface RouteDescription {
  method: string;
  path: string;
  meta: RouteMeta | undefined;
  /**
   * How many middleware run for the route: the app's and its groups' middleware whose prefix covers
   * the path, plus the route's own `middlewares`. Middleware that plugins' route options add (an
   * `auth` check, for one) are not counted here; `options` names them.
   */
  middlewares: number;
  /** Which of `params`, `query`, `body`, `headers` and `response` the route's `schema` declares, in that order. */
  schemas: string[];
  /** The names of the route options set on it that plugins provide (such as `auth`), in the order they were written. */
  options: string[];
}

/**
 * The application: routes, middleware, plugins, hooks and the server. Its type grows as plugins
 * and middleware are added with `use`, so chain the calls (or keep the value `use` returns).
 *
 * @example
 * ```ts
 * const app = createApp();
 * app.get('/users/:id', async (ctx) => ({ user: await db.getUser(ctx.params.id) }));
 * await app.start({ port: 3000 });
 * ```
 */
export type App<D = {}, C = {}, RO = {}, Prefix extends string = ''> = AppApi<D, C, RO, Prefix> & D;

/**
 * The methods of an `App`: routes, groups, plugins and middleware, hooks and the server.
 *
 * @example
 * ```ts
 * const app = createApp();
 * app.group('/api', (api) => {
 *   api.get('/users', () => listUsers());
 * });
 * const response = await app.request('/api/users');
 * ```
 */
export interface AppApi<D, C, RO, Prefix extends string> {
  /** Registers a GET route (HEAD is answered from it too). */
  get: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a POST route. */
  post: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a PUT route. */
  put: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a PATCH route. */
  patch: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a DELETE route. */
  delete: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers an OPTIONS route (otherwise OPTIONS is answered with 204 and `Allow`). */
  options: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a HEAD route (otherwise HEAD is answered from GET without a body). */
  head: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a route for every method; a route for a specific method at the same path wins. */
  all: RouteMethod<App<D, C, RO, Prefix>, C, RO, Prefix>;
  /** Registers a route declared in one object: method, path, schemas, middleware and handler. */
  route<const Path extends string, const M extends readonly AnyMiddleware[], S extends RouteSchema = {}>(
    definition: RouteDefinition<JoinPath<Prefix, Path>, S, M, C, RO> & { path: Path },
  ): App<D, C, RO, Prefix>;
  /** Registers routes and middleware under a path prefix; middleware added inside applies only there. */
  group<const P extends string>(
    prefix: P,
    register: (group: App<D, C, RO, JoinPath<Prefix, P>>) => void,
  ): App<D, C, RO, Prefix>;
  /**
   * Registers a plugin; the returned app is typed with its decorations and route options. A plugin
   * that requires decorations (`definePlugin({ requires })`) needs an app that has them: register
   * what provides them first, in the same chain.
   */
  use<X extends PluginExports, N = {}>(
    plugin: PluginInstance<X, N> & MissingDecorations<D, N>,
    scope?: PluginScope,
  ): App<D & DecorationsOf<X>, C & PluginContextOf<X>, RO & RouteOptionsOf<X>, Prefix>;
  /** Adds a middleware for every route in this app or group; what it passes to `next()` is typed downstream. */
  use<E = {}>(middleware: (ctx: Context & C, next: Next<E>) => unknown): App<D, C & E, RO, Prefix>;
  /** Adds a middleware for the routes under `prefix`. */
  use(prefix: string, middleware: (ctx: Context & C, next: Next) => unknown): App<D, C, RO, Prefix>;
  /** Adds a value to the app, typed: `app.decorate('config', config).config`. */
  decorate<const K extends string, V>(name: K, value: V): App<D & { readonly [P in K]: V }, C, RO, Prefix>;
  /** Answers thrown errors. Return a value to send it (like a handler); return nothing for the default problem+json answer. */
  onError(handler: (error: unknown, ctx: Context & C) => unknown): App<D, C, RO, Prefix>;
  /** Answers requests that match no route (after the app's middleware ran). */
  notFound(handler: (ctx: Context & C) => unknown): App<D, C, RO, Prefix>;
  /**
   * Sets the security headers of every response (helmet's set by default, computed once). Replaces
   * what `createApp({ security })` set; applies to the whole app.
   */
  security(options: SecurityOptions): App<D, C, RO, Prefix>;
  /** Adds a hook run for each request before its middleware; returning a value answers the request. */
  onRequest(hook: RequestHook<C>): App<D, C, RO, Prefix>;
  /** Adds a hook run with each reply before it is sent. */
  onResponse(hook: ResponseHook<C>): App<D, C, RO, Prefix>;
  /** Adds a hook by name; `onError` hooks observe errors (for logs and trackers) while `app.onError` answers them. */
  hook<K extends keyof HookTypes<C>>(name: K, hook: HookTypes<C>[K]): App<D, C, RO, Prefix>;
  /** Reconfigures the app's CSRF protection (a token for cookie-authenticated unsafe requests) before it starts; turns it on after `csrf: false`. */
  csrf(options?: CsrfOptions): App<D, C, RO, Prefix>;
  /**
   * Adds start-up work that `ready()` (and so `start()`) awaits after every plugin's setup and
   * before routes compile: waiting for a connection, warming a cache. A rejection fails the start.
   * Plugins use it to keep `setup` synchronous, so their decorations exist right after `use()`.
   */
  onReady(hook: () => unknown): App<D, C, RO, Prefix>;
  /**
   * Tells the app that a plugin fell back to a development default (an embedded database folder,
   * the in-process job driver, a per-process key). In production (`NODE_ENV=production`) start-up
   * logs each one once, loudly; with `createApp({ strict: true })` (or `FRAMEWORK_STRICT=1`) it
   * refuses to start, listing them. Outside production it does nothing.
   */
  productionDefault(entry: ProductionDefault): App<D, C, RO, Prefix>;
  /**
   * Declares that a feature signs cookies, so `ready()` (and `start()`) refuses to start without a
   * cookie secret (`COOKIE_SECRET` or `createApp({ cookies: { secret } })`) instead of the first
   * signed cookie failing with a 500. Plugins call it in `setup`.
   *
   * @example
   * ```ts
   * export const sessions = definePlugin({
   *   name: 'sessions',
   *   setup(app) {
   *     app.requireCookieSecret('sessions');
   *   },
   * });
   * ```
   */
  requireCookieSecret(feature: string): App<D, C, RO, Prefix>;
  /** `NODE_ENV`, or `'development'` when it is not set. */
  readonly env: string;
  /** Whether strict mode is on (`createApp({ strict })`, else `FRAMEWORK_STRICT=1`). */
  readonly strict: boolean;
  /**
   * Whether error answers may carry internals (`createApp({ exposeErrors })`, by default in
   * development and tests): plugins that render their own problem details follow it.
   */
  readonly exposeErrors: boolean;
  /** Adds a hook run when the server has started. */
  onStart(hook: (address: ServerAddress) => unknown): App<D, C, RO, Prefix>;
  /** Adds a hook run when the app stops, after in-flight requests finished (close pools here). */
  onClose(hook: () => unknown): App<D, C, RO, Prefix>;
  /** Finishes plugin set-up, checks dependencies and route options, and compiles every route. */
  ready(): Promise<void>;
  /** Starts the HTTP server; resolves to the address it listens on. */
  start(options?: StartOptions): Promise<ServerAddress>;
  /**
   * Stops gracefully: no new connections, in-flight requests finish (up to `server.shutdownTimeout`),
   * idle sockets close, then `onClose` hooks run, all of them within `closeTimeout` (a hook still
   * running then is logged and left behind).
   */
  stop(): Promise<void>;
  /** Serves a Web `Request` (edge runtimes, service workers, Bun, Deno). */
  fetch(request: Request): Promise<Response>;
  /** Runs a request in memory with no socket, for tests: `await app.request('/users/1')`. */
  request(input: string | Request, init?: RequestInit): Promise<Response>;
  /** Every registered route. */
  routes(): RouteDescription[];
  /**
   * Runs every health check plugins registered, each bounded by `timeout` (milliseconds, or a
   * duration string such as `'5s'`; default 2 000):
   * `{ status: 'up' | 'down', checks: { database: { status, ms, error? } } }`.
   */
  health(timeout?: Duration): Promise<HealthReport>;
  /** The CLI commands registered plugins contribute, by name, after `ready()`. */
  commands(): ReadonlyMap<string, PluginCommand>;
  /** The app's logger (`createApp({ logger })`; JSON lines on stderr by default), for plugins to log through. */
  readonly logger: Logger;
}
