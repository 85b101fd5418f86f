import type { AppOptions as CoreOptions, ProductionDefault } from './app-options.ts';
import type { Context, HttpMethod } from './context.ts';
import { FrameworkError } from './errors.ts';
import { ownerScope } from './internal/compile.ts';
import { type AppCore, createCore } from './internal/dispatch.ts';
import type { Hooks, RouteRecord, Scope } from './internal/registry.ts';
import { checkRouteSchema } from './internal/route-schema.ts';
import type { Logger } from './logger.ts';
import { checkOptions, type KnownOptions } from './options.ts';
import { isPlugin, type PluginCommand, type PluginExports, type PluginInstance, type PluginScope } from './plugin.ts';
import type { Reply } from './reply.ts';
import { CsrfGuard, type CsrfOptions } from './security/csrf.ts';
import { compileSecurity, type SecurityOptions } from './security/headers.ts';
import { fetchHandler, requestInMemory } from './server/fetch.ts';
import { type RunningServer, startNodeServer } from './server/node.ts';
import type { ServerAddress, StartOptions } from './server/types.ts';
import { startUwsServer } from './server/uws.ts';
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
export interface AppOptions extends CoreOptions {
  /**
   * CSRF protection for cookie-authenticated unsafe requests (spec §3.4). On by default; options
   * configure it, `false` turns it off.
   */
  csrf?: boolean | CsrfOptions;
}

type DecorationsOf<X> = X extends { decorate: infer T } ? (T extends object ? T : {}) : {};
type ContextOf<X> = X extends { context: infer T }
  ? { readonly [K in keyof T]: T[K] extends (...args: never[]) => infer R ? R : never }
  : {};
type RouteOptionsOf<X> = X extends { routeOptions: infer T }
  ? { [K in keyof T]: T[K] extends (value: infer V, ...rest: never[]) => unknown ? V : never }
  : {};

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
  <const Path extends string, S extends RouteSchema = {}, const M extends readonly AnyMiddleware[] = []>(
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
 * A registered route, as `app.routes()` lists it.
 *
 * @example
 * ```ts
 * await app.ready(); // plugins have registered their routes
 * for (const route of app.routes()) console.log(route.method, route.path, route.meta?.summary ?? '');
 * ```
 */
export interface RouteDescription {
  method: string;
  path: string;
  meta: RouteMeta | undefined;
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
  /** Registers a route declared in one object (spec §2.3.1). */
  route<const Path extends string, S extends RouteSchema = {}, const M extends readonly AnyMiddleware[] = []>(
    definition: RouteDefinition<JoinPath<Prefix, Path>, S, M, C, RO> & { path: Path },
  ): App<D, C, RO, Prefix>;
  /** Registers routes and middleware under a path prefix; middleware added inside applies only there. */
  group<const P extends string>(
    prefix: P,
    register: (group: App<D, C, RO, JoinPath<Prefix, P>>) => void,
  ): App<D, C, RO, Prefix>;
  /** Registers a plugin; the returned app is typed with its decorations and route options. */
  use<X extends PluginExports>(
    plugin: PluginInstance<X>,
    scope?: PluginScope,
  ): App<D & DecorationsOf<X>, C & ContextOf<X>, RO & RouteOptionsOf<X>, Prefix>;
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
  /** Reconfigures the app's CSRF protection (spec §3.4) before it starts; turns it on after `csrf: false`. */
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
   * Runs every health check plugins registered (each bounded by `timeout` ms, default 2 000):
   * `{ status: 'up' | 'down', checks: { database: { status, ms, error? } } }`.
   */
  health(timeout?: number): Promise<HealthReport>;
  /** The CLI commands registered plugins contribute, by name, after `ready()`. */
  commands(): ReadonlyMap<string, PluginCommand>;
  /** The app's logger (`createApp({ logger })`; JSON lines on stderr by default), for plugins to log through. */
  readonly logger: Logger;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all'] as const;

/** The runtime behind every `App` view: the root app, groups and plugin scopes share one core. */
class AppView {
  readonly core: AppCore;
  readonly scope: Scope;

  constructor(core: AppCore, scope: Scope) {
    this.core = core;
    this.scope = scope;
  }

  child(prefix: string, encapsulated: boolean): AppView {
    const scope: Scope = {
      prefix: this.scope.prefix + normalizePrefix(prefix),
      parent: this.scope,
      middlewares: [],
      hooks: { onRequest: [], onResponse: [], onError: [] },
      encapsulated,
    };
    const view: AppView = Object.create(this);
    Object.defineProperty(view, 'scope', { value: scope });
    return view;
  }

  addRoute(methods: readonly string[], path: string, routeOrHandler: unknown): this {
    if (typeof path !== 'string' || (path !== '' && !path.startsWith('/') && path !== '*')) {
      throw new FrameworkError('FW_ERR_ROUTE_INVALID', `Route path ${JSON.stringify(path)} must start with "/".`);
    }
    const config = (typeof routeOrHandler === 'function' ? { handler: routeOrHandler } : routeOrHandler) as Record<
      string,
      unknown
    >;
    if (config === null || typeof config !== 'object' || typeof config.handler !== 'function') {
      throw new FrameworkError(
        'FW_ERR_ROUTE_INVALID',
        `Route ${methods.join(',')} ${path} needs a handler: app.get(path, async (ctx) => value) or { handler }.`,
      );
    }
    const fullPath = joinPath(this.scope.prefix, path);
    checkRouteSchema(`${methods.join(',')} ${fullPath}`, config.schema);
    for (const method of methods) {
      const record: RouteRecord = { method, path: fullPath, config, scope: this.scope, compiled: undefined };
      this.core.addRoute(record);
    }
    return this;
  }

  route(definition: Record<string, unknown>): this {
    const { method, path, ...config } = definition;
    const methods = Array.isArray(method) ? method : [method];
    for (const item of methods) {
      if (typeof item !== 'string') {
        throw new FrameworkError(
          'FW_ERR_ROUTE_INVALID',
          `app.route() needs a method such as 'GET' or ['GET', 'POST'].`,
        );
      }
    }
    return this.addRoute(
      methods.map((item) => String(item).toUpperCase()),
      String(path),
      config,
    );
  }

  group(prefix: string, register: (group: AppView) => void): this {
    register(this.child(prefix, true));
    return this;
  }

  use(first: unknown, second?: unknown): this {
    if (isPlugin(first)) {
      this.core.registerPlugin(this, first, (second ?? {}) as PluginScope);
      return this;
    }
    // In a scope that is not encapsulated (a global plugin with a prefix), middleware belongs to the
    // enclosing scope, limited to this scope's prefix, so it also covers routes registered elsewhere.
    const owner = ownerScope(this.scope);
    const base = owner === this.scope ? '' : this.scope.prefix;
    if (typeof first === 'function') {
      owner.middlewares.push({ prefix: base, fn: first as never });
      this.core.invalidate();
      return this;
    }
    if (typeof first === 'string' && typeof second === 'function') {
      owner.middlewares.push({ prefix: joinPath(this.scope.prefix, normalizePrefix(first)), fn: second as never });
      this.core.invalidate();
      return this;
    }
    throw new FrameworkError(
      'FW_ERR_PLUGIN_INVALID',
      'app.use() takes a plugin (app.use(cors())), a middleware (app.use(async (ctx, next) => next())) ' +
        'or a prefix and a middleware (app.use("/api", mw)).',
    );
  }

  decorate(name: string, value: unknown): this {
    this.core.decorateApp(this.root(), name, value, 'app.decorate()');
    return this;
  }

  root(): AppView {
    return this.core.rootView as AppView;
  }

  onError(handler: (error: unknown, ctx: never) => unknown): this {
    this.core.errorHandler = handler;
    return this;
  }

  notFound(handler: (ctx: never) => unknown): this {
    this.core.notFoundHandler = handler;
    this.core.invalidate();
    return this;
  }

  security(options: SecurityOptions): this {
    this.core.security = compileSecurity(options);
    return this;
  }

  onRequest(hook: Hooks['onRequest'][number]): this {
    ownerScope(this.scope).hooks.onRequest.push(hook);
    this.core.invalidate();
    return this;
  }

  onResponse(hook: Hooks['onResponse'][number]): this {
    ownerScope(this.scope).hooks.onResponse.push(hook);
    this.core.invalidate();
    return this;
  }

  hook(name: string, hook: (...args: never[]) => unknown): this {
    switch (name) {
      case 'onRequest':
      case 'onResponse':
      case 'onError':
        ownerScope(this.scope).hooks[name].push(hook as never);
        this.core.invalidate();
        return this;
      case 'onReady':
        return this.onReady(hook as never);
      case 'onStart':
        return this.onStart(hook as never);
      case 'onClose':
        return this.onClose(hook as never);
      default:
        throw new FrameworkError(
          'FW_ERR_PLUGIN_INVALID',
          `Unknown hook ${JSON.stringify(name)}; use onRequest, onResponse, onError, onReady, onStart or onClose.`,
        );
    }
  }

  csrf(options: CsrfOptions = {}): this {
    for (const guard of this.core.guards) if (guard instanceof CsrfGuard) guard.configure(options, 'app.csrf()');
    return this;
  }

  onReady(hook: () => unknown): this {
    if (typeof hook !== 'function') {
      throw new FrameworkError(
        'FW_ERR_PLUGIN_INVALID',
        'app.onReady() takes a function: app.onReady(async () => {...}).',
      );
    }
    this.core.readyHooks.push(hook);
    return this;
  }

  productionDefault(entry: ProductionDefault): this {
    this.core.productionDefaults.push({ what: entry.what, fix: entry.fix });
    return this;
  }

  requireCookieSecret(feature: string): this {
    if (typeof feature !== 'string' || feature === '') {
      throw new FrameworkError(
        'FW_ERR_PLUGIN_INVALID',
        "app.requireCookieSecret() takes the name of the feature that signs cookies, e.g. app.requireCookieSecret('@framework/auth sessions').",
      );
    }
    this.core.cookieSecretNeeds.push(feature);
    return this;
  }

  get env(): string {
    return this.core.env;
  }

  get strict(): boolean {
    return this.core.strict;
  }

  get exposeErrors(): boolean {
    return this.core.exposeErrors;
  }

  onStart(hook: (address: ServerAddress) => unknown): this {
    this.core.startHooks.push(hook);
    return this;
  }

  onClose(hook: () => unknown): this {
    this.core.closeHooks.push(hook);
    return this;
  }

  ready(): Promise<void> {
    return this.core.ready();
  }

  async start(options: StartOptions = {}): Promise<ServerAddress> {
    await this.core.ready();
    if (this.core.server !== undefined) {
      throw new FrameworkError(
        'FW_ERR_SERVER_STATE',
        'The app is already started; call app.stop() before starting it again.',
      );
    }
    const driver = options.driver ?? 'node';
    let server: RunningServer;
    if (driver === 'node') server = await startNodeServer(this.core, options);
    else if (driver === 'uws' || driver === 'auto') server = await startUwsServer(this.core, options, driver);
    else {
      throw new FrameworkError(
        'FW_ERR_SERVER_DRIVER',
        `Unknown server driver ${JSON.stringify(driver)}; use 'node', 'uws' or 'auto'.`,
      );
    }
    this.core.server = server;
    for (const hook of this.core.startHooks) await hook(server.address);
    return server.address;
  }

  async stop(): Promise<void> {
    const server = this.core.server;
    this.core.server = undefined;
    if (server !== undefined) await server.close();
    // The hooks run one after another, newest first, within one shared deadline. Past it, the rest
    // are still started (so every pool gets its close call) but no longer awaited.
    const deadline = Date.now() + this.core.closeTimeout;
    const logger = this.core.logger;
    for (const hook of [...this.core.closeHooks].reverse()) {
      const left = deadline - Date.now();
      let outcome: Promise<unknown>;
      try {
        outcome = Promise.resolve(hook()).catch((error: unknown) =>
          logger.error({ err: error }, 'an onClose hook failed'),
        );
      } catch (error) {
        logger.error({ err: error }, 'an onClose hook failed');
        continue;
      }
      if (left <= 0) continue;
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        outcome.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), left);
        }),
      ]);
      clearTimeout(timer);
      if (late) {
        logger.error(
          { closeTimeout: this.core.closeTimeout },
          `an onClose hook did not finish within closeTimeout (${this.core.closeTimeout} ms); stop() goes on without waiting for it. ` +
            'Check the dependency it closes, or raise createApp({ closeTimeout }).',
        );
      }
    }
  }

  fetch(request: Request): Promise<Response> {
    return fetchHandler(this.core, request);
  }

  request(input: string | Request, init?: RequestInit): Promise<Response> {
    return requestInMemory(this.core, input, init);
  }

  async health(timeout = 2000): Promise<HealthReport> {
    await this.ready();
    const checks: HealthReport['checks'] = {};
    await Promise.all(
      [...this.core.healthChecks].map(async ([name, check]) => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
            }),
          ]);
          checks[name] = { status: 'up', ms: Math.round(performance.now() - started) };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          checks[name] = { status: 'down', ms: Math.round(performance.now() - started), error: message };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const status = Object.values(checks).every((check) => check.status === 'up') ? 'up' : 'down';
    return { status, checks };
  }

  get logger(): Logger {
    return this.core.logger;
  }

  commands(): ReadonlyMap<string, PluginCommand> {
    return new Map([...this.core.commands].map(([name, entry]) => [name, entry.command]));
  }

  routes(): RouteDescription[] {
    return this.core.routes.map((route) => ({
      method: route.method,
      path: route.path,
      meta: route.config.meta as RouteMeta | undefined,
    }));
  }
}

for (const name of METHODS) {
  const method = name.toUpperCase();
  Object.defineProperty(AppView.prototype, name, {
    value(this: AppView, path: string, route: unknown) {
      return this.addRoute([method], path, route);
    },
  });
}

function normalizePrefix(prefix: string): string {
  if (prefix === '' || prefix === '/') return '';
  const withSlash = prefix.startsWith('/') ? prefix : `/${prefix}`;
  return withSlash.endsWith('/') ? withSlash.slice(0, -1) : withSlash;
}

function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path === '' ? '/' : path;
  if (path === '/' || path === '') return prefix;
  return prefix + path;
}

const APP_OPTIONS: KnownOptions<AppOptions> = {
  bodyLimit: true,
  cookies: true,
  logger: true,
  exposeErrors: true,
  validateResponses: true,
  ignoreTrailingSlash: true,
  maxParamLength: true,
  server: true,
  security: true,
  trustProxy: true,
  query: true,
  strictPaths: true,
  redirect: true,
  uploads: true,
  strict: true,
  closeTimeout: true,
  csrf: true,
};

const SERVER_OPTIONS: KnownOptions<NonNullable<AppOptions['server']>> = {
  headersTimeout: true,
  requestTimeout: true,
  keepAliveTimeout: true,
  maxHeaderSize: true,
  maxHeadersCount: true,
  maxUrlLength: true,
  shutdownTimeout: true,
};

/**
 * Creates an app. Every option has a safe default; see `AppOptions`.
 *
 * @example
 * ```ts
 * import { createApp } from '@framework/core';
 *
 * const app = createApp();
 * app.get('/users/:id', async (ctx) => {
 *   const user = await db.getUser(ctx.params.id);
 *   return { user };
 * });
 * app.start({ port: 3000 });
 * ```
 */
export function createApp(options: AppOptions = {}): App {
  checkOptions('createApp()', options, APP_OPTIONS);
  checkOptions('createApp({ cookies })', options.cookies, { secret: true });
  checkOptions('createApp({ server })', options.server, SERVER_OPTIONS);
  checkOptions('createApp({ redirect })', options.redirect, { allowedHosts: true });
  checkOptions('createApp({ query })', options.query, {
    maxParams: true,
    maxArrayLength: true,
    dropPrototypeKeys: true,
  });
  checkOptions('createApp({ uploads })', options.uploads, {
    scanner: true,
    onDetection: true,
    failOpen: true,
    tmpDir: true,
  });
  const core = createCore(options);
  core.guards.push(new CsrfGuard(core, core.Ctx, options.csrf));
  const view = new AppView(core, core.rootScope);
  core.rootView = view;
  // The view implements AppApi at runtime (route methods are installed on its prototype above);
  // the generic types are a compile-time layer over it.
  return view as unknown as App;
}
