import type { HealthReport, RouteDescription } from './app.ts';
import type { ProductionDefault } from './app-options.ts';
import { type Duration, parseDuration } from './duration.ts';
import { FrameworkError } from './errors.ts';
import { ownerScope } from './internal/compile.ts';
import type { AppCore } from './internal/dispatch.ts';
import { describeRoute, type Hooks, type RouteRecord, type Scope } from './internal/registry.ts';
import { checkRouteSchema } from './internal/route-schema.ts';
import type { Logger } from './logger.ts';
import { isPlugin, type PluginCommand, type PluginScope } from './plugin.ts';
import { startApp } from './process/start.ts';
import { CsrfGuard, type CsrfOptions } from './security/csrf.ts';
import { compileSecurity, type SecurityOptions } from './security/headers.ts';
import { fetchHandler, requestInMemory } from './server/fetch.ts';
import { type RunningServer, startNodeServer } from './server/node.ts';
import type { ServerAddress, StartOptions } from './server/types.ts';
import { startUwsServer } from './server/uws.ts';
import type { RouteMeta } from './types.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all'] as const;

/**
 * The runtime behind every `App` view: the root app, groups and plugin scopes share one core, each
 * view adding routes, middleware and hooks to its own scope. `createApp()` builds the root view;
 * `group()` and encapsulated plugins build children.
 *
 * @example
 * ```ts
 * const core = createCore({});
 * const root = new AppView(core, core.rootScope);
 * core.rootView = root;
 * ```
 */
export class AppView {
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
    return startApp(this, options);
  }

  /** Whether the server is up: false once `stop()` began. */
  get listening(): boolean {
    return this.core.server !== undefined;
  }

  /** Starts the server in this process, without process management (what `start()` ends with). */
  async listen(options: StartOptions): Promise<ServerAddress> {
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

  async health(duration: Duration = 2000): Promise<HealthReport> {
    const timeout = parseDuration(duration, 'app.health(timeout)');
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
      ...describeRoute(route),
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
