import type { AppOptions, ProductionDefault } from '../app-options.ts';
import { type ContextRuntime, RequestContext, type ResponseTable } from '../context.ts';
import { resolveCookieKeys } from '../cookies.ts';
import { FrameworkError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { PluginCommand, PluginExports, PluginInstance, PluginScope, RouteOptionFactory } from '../plugin.ts';
import type { Reply } from '../reply.ts';
import { Router } from '../router/radix.ts';
import { DEFAULT_QUERY_LIMITS } from '../security/hardening.ts';
import { type CompiledSecurity, compileSecurity } from '../security/headers.ts';
import { compileTrust } from '../security/trust-proxy.ts';
import type { RunningServer } from '../server/node.ts';
import type { ServerAddress, ServerLimits } from '../server/types.ts';
import type { UploadOptions } from '../uploads/scan.ts';
import type { RuntimeMiddleware, Terminal } from './compose.ts';
import type { RequestGuard } from './guard.ts';
import { checkRequirements, sameOptions } from './plugin-checks.ts';

export type { RequestGuard } from './guard.ts';

export interface Hooks {
  onRequest: Array<(ctx: RequestContext) => unknown>;
  onResponse: Array<(ctx: RequestContext, reply: Reply) => unknown>;
  onError: Array<(error: unknown, ctx: RequestContext) => unknown>;
}

export interface Scope {
  readonly prefix: string;
  readonly parent: Scope | undefined;
  readonly middlewares: Array<{ prefix: string; fn: RuntimeMiddleware }>;
  readonly hooks: Hooks;
  /** Middleware and hooks of an encapsulated scope apply only to the routes registered in it. */
  readonly encapsulated: boolean;
}

export interface RouteRecord {
  readonly method: string;
  readonly path: string;
  readonly config: Record<string, unknown>;
  readonly scope: Scope;
  compiled: CompiledRoute | undefined;
}

export interface CompiledRoute {
  run: Terminal;
  bodyLimit: number;
  hooks: Hooks;
  /** Whether requests may leave temporary upload files to remove. */
  uploads: boolean;
  /** The route's response schemas; a 2xx body with none of them is refused. */
  responses: ResponseTable | undefined;
}

export interface ViewLike {
  child(prefix: string, encapsulated: boolean): ViewLike;
}

/** Route options core itself reads; plugins cannot add route options with these names. */
export const CORE_ROUTE_KEYS = new Set(['handler', 'schema', 'middlewares', 'meta', 'status', 'bodyLimit']);
/** The parts of a route's `schema` that `app.routes()` names, in the order it names them. */
const SCHEMA_PARTS = ['params', 'query', 'body', 'headers', 'response'] as const;

function coversPath(path: string, prefix: string): boolean {
  return (
    prefix === '' ||
    (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47))
  );
}

/**
 * What `app.routes()` tells about a route beyond its method, path and meta: how many middleware
 * apply (its scopes' middleware covering the path, then its own), which schemas it declares, and
 * which plugin-provided route options it sets.
 */
export function describeRoute(route: RouteRecord): { middlewares: number; schemas: string[]; options: string[] } {
  let middlewares = 0;
  for (let scope: Scope | undefined = route.scope; scope !== undefined; scope = scope.parent) {
    for (const entry of scope.middlewares) if (coversPath(route.path, entry.prefix)) middlewares++;
  }
  const own = route.config.middlewares;
  if (Array.isArray(own)) middlewares += own.length;
  const schema = route.config.schema;
  const schemas =
    typeof schema === 'object' && schema !== null
      ? SCHEMA_PARTS.filter((part) => Reflect.get(schema, part) !== undefined)
      : [];
  const options = Object.keys(route.config).filter(
    (key) => !CORE_ROUTE_KEYS.has(key) && route.config[key] !== undefined,
  );
  return { middlewares, schemas, options };
}

const DEFAULT_LIMITS: ServerLimits = {
  headersTimeout: 15_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 72_000,
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 100,
  maxUrlLength: 8 * 1024,
  shutdownTimeout: 25_000,
};

/**
 * The first stage of an app: its options, and everything plugins and the app's set-up register
 * (plugins, decorations, route options, commands, health checks, ready hooks, production defaults)
 * with the checks `ready()` runs on them before the routes compile.
 */
export abstract class Registry {
  readonly router: Router<RouteRecord>;
  readonly routes: RouteRecord[] = [];
  readonly rootScope: Scope;
  rootView: unknown;
  errorHandler: ((error: unknown, ctx: never) => unknown) | undefined;
  notFoundHandler: ((ctx: never) => unknown) | undefined;
  readonly startHooks: Array<(address: ServerAddress) => unknown> = [];
  readonly closeHooks: Array<() => unknown> = [];
  /** Start-up work plugins registered with `app.onReady()`, awaited by `ready()` in order. */
  readonly readyHooks: Array<() => unknown> = [];
  /** Development defaults plugins fell back to; reported (or refused in strict mode) by `ready()` in production. */
  readonly productionDefaults: ProductionDefault[] = [];
  /** Features that sign cookies (`app.requireCookieSecret()`); `ready()` refuses to start without a secret. */
  readonly cookieSecretNeeds: string[] = [];
  /** `NODE_ENV`, or `development` when it is not set. */
  readonly env: string;
  readonly strict: boolean;
  readonly closeTimeout: number;
  private reportedDefaults = 0;
  readonly guards: RequestGuard[] = [];
  /** Health checks contributed by plugins, by name. */
  readonly healthChecks = new Map<string, () => Promise<unknown>>();
  /** CLI commands contributed by plugins, by name. */
  readonly commands = new Map<string, { plugin: string; command: PluginCommand }>();
  readonly logger: Logger;
  readonly exposeErrors: boolean;
  readonly bodyLimit: number;
  readonly limits: ServerLimits;
  readonly strictPaths: boolean;
  readonly uploads: UploadOptions;
  readonly runtime: ContextRuntime;
  readonly Ctx: typeof RequestContext;
  server: RunningServer | undefined;
  security: CompiledSecurity;
  private readonly plugins: Array<{
    name: string;
    dependencies: readonly string[];
    before: Set<string>;
    options: unknown;
  }> = [];
  private readonly pending: Array<Promise<unknown>> = [];
  protected readonly routeOptions = new Map<string, { plugin: string; factory: RouteOptionFactory<never> }>();
  protected version = 0;
  protected isReady = false;

  constructor(options: AppOptions) {
    this.router = new Router<RouteRecord>({
      maxParamLength: options.maxParamLength ?? 100,
      ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
    });
    this.rootScope = {
      prefix: '',
      parent: undefined,
      middlewares: [],
      hooks: { onRequest: [], onResponse: [], onError: [] },
      encapsulated: true,
    };
    this.logger = createLogger(options.logger);
    const env = process.env.NODE_ENV;
    this.env = env === undefined || env === '' ? 'development' : env;
    const strictEnv = process.env.FRAMEWORK_STRICT;
    this.strict = options.strict ?? (strictEnv === '1' || strictEnv === 'true');
    this.closeTimeout = options.closeTimeout ?? 10_000;
    if (!(Number.isFinite(this.closeTimeout) && this.closeTimeout >= 0)) {
      throw new FrameworkError(
        'FW_ERR_INVALID_OPTION',
        `createApp({ closeTimeout }) is a number of milliseconds >= 0, got ${String(options.closeTimeout)}; e.g. 10_000.`,
      );
    }
    this.exposeErrors = options.exposeErrors ?? (env === 'development' || env === 'test');
    this.bodyLimit = options.bodyLimit ?? 1024 * 1024;
    this.limits = { ...DEFAULT_LIMITS, ...options.server };
    this.strictPaths = options.strictPaths ?? true;
    this.uploads = options.uploads ?? {};
    this.runtime = {
      cookieKeys: resolveCookieKeys(options.cookies?.secret),
      validateResponses: options.validateResponses ?? this.exposeErrors,
      trust: compileTrust(options.trustProxy),
      queryLimits: { ...DEFAULT_QUERY_LIMITS, ...options.query },
      redirectHosts: (options.redirect?.allowedHosts ?? []).map((host) => host.toLowerCase()),
      logger: this.logger,
    };
    this.security = compileSecurity(options.security);
    // Each app gets its own context class so that plugins' context decorations stay per app.
    this.Ctx = class AppContext extends RequestContext {};
  }

  invalidate(): void {
    this.version++;
  }

  addRoute(record: RouteRecord): void {
    // RouterError is a FrameworkError: its code and message reach the caller as they are.
    this.router.add(record.method, record.path, record);
    this.routes.push(record);
    this.invalidate();
  }

  registerPlugin(view: ViewLike & { scope: Scope }, plugin: PluginInstance, options: PluginScope): void {
    const registered = this.plugins.find((entry) => entry.name === plugin.name);
    if (registered !== undefined) {
      // Two plugins may both register a shared one; the second registration is a no-op only when it
      // asks for the same thing, else one of the two configurations would be silently dropped.
      if (sameOptions(registered.options, plugin.options)) return;
      throw new FrameworkError(
        'FW_ERR_PLUGIN_DUPLICATE',
        `Plugin "${plugin.name}" is registered twice with different options. Register it once, with the options you want (the first registration's options would be used and the second's ignored).`,
      );
    }
    const names = new Set(this.plugins.map((entry) => entry.name));
    const encapsulated = (options.scope ?? plugin.scope.scope) === 'encapsulated';
    const prefix = options.prefix ?? plugin.scope.prefix ?? '';
    const target = encapsulated || prefix !== '' ? view.child(prefix, encapsulated) : view;
    checkRequirements(plugin, target, this.pending.length > 0);
    this.plugins.push({ name: plugin.name, dependencies: plugin.dependencies, before: names, options: plugin.options });
    const result = plugin.setup(target as never);
    if (result instanceof Promise) {
      this.isReady = false;
      this.pending.push(result.then((exports) => this.applyExports(plugin.name, exports ?? undefined)));
    } else {
      this.applyExports(plugin.name, result ?? undefined);
    }
    this.invalidate();
  }

  private applyExports(plugin: string, exports: PluginExports | undefined): void {
    if (exports === undefined) return;
    for (const [name, value] of Object.entries(exports.decorate ?? {})) {
      this.decorateApp(this.rootView, name, value, `plugin "${plugin}"`);
    }
    for (const [name, factory] of Object.entries(exports.context ?? {})) {
      this.decorateContext(name, factory as (ctx: RequestContext) => unknown, plugin);
    }
    if (exports.csrfSession !== undefined) {
      for (const guard of this.guards) guard.bindSession?.(exports.csrfSession, plugin);
    }
    for (const [name, check] of Object.entries(exports.health ?? {})) {
      if (this.healthChecks.has(name)) {
        throw new FrameworkError(
          'FW_ERR_DECORATION_EXISTS',
          `Plugin "${plugin}" adds the health check "${name}", which another plugin already adds. Rename one of them.`,
        );
      }
      this.healthChecks.set(name, check);
    }
    for (const [name, command] of Object.entries(exports.commands ?? {})) {
      const existing = this.commands.get(name);
      if (existing !== undefined) {
        throw new FrameworkError(
          'FW_ERR_DECORATION_EXISTS',
          `Plugin "${plugin}" adds the command "${name}", which plugin "${existing.plugin}" already adds. Rename one of them.`,
        );
      }
      this.commands.set(name, { plugin, command });
    }
    for (const [name, factory] of Object.entries(exports.routeOptions ?? {})) {
      const existing =
        this.routeOptions.get(name) ?? (CORE_ROUTE_KEYS.has(name) ? { plugin: '@framework/core' } : undefined);
      if (existing) {
        throw new FrameworkError(
          'FW_ERR_DECORATION_EXISTS',
          `Plugin "${plugin}" adds the route option "${name}", which ${existing.plugin} already provides. Rename one of them.`,
        );
      }
      this.routeOptions.set(name, { plugin, factory });
    }
    this.invalidate();
  }

  decorateApp(target: unknown, name: string, value: unknown, by: string): void {
    if (name in (target as object)) {
      throw new FrameworkError(
        'FW_ERR_DECORATION_EXISTS',
        `${by} decorates the app with "${name}", which already exists. Pick another name.`,
      );
    }
    Object.defineProperty(target, name, { value, enumerable: true });
  }

  private decorateContext(name: string, factory: (ctx: RequestContext) => unknown, plugin: string): void {
    if (name in this.Ctx.prototype) {
      throw new FrameworkError(
        'FW_ERR_DECORATION_EXISTS',
        `Plugin "${plugin}" decorates the context with "${name}", which already exists. Pick another name.`,
      );
    }
    Object.defineProperty(this.Ctx.prototype, name, {
      get(this: RequestContext) {
        const cache = this.decorationCache();
        if (name in cache) return cache[name];
        const value = factory(this);
        cache[name] = value;
        return value;
      },
      set(this: RequestContext, value: unknown) {
        this.decorationCache()[name] = value;
      },
    });
  }

  async ready(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      await Promise.all(batch);
    }
    // Ready hooks run once each, in registration order; one may register plugins (pending) or more hooks.
    while (this.readyHooks.length > 0) {
      const hook = this.readyHooks.shift()!;
      await hook();
      while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
    }
    this.checkProductionDefaults();
    this.checkCookieSecret();
    for (const plugin of this.plugins) {
      for (const dependency of plugin.dependencies) {
        if (!plugin.before.has(dependency)) {
          const later = this.plugins.some((entry) => entry.name === dependency);
          throw new FrameworkError(
            'FW_ERR_PLUGIN_DEPENDENCY',
            later
              ? `Plugin "${plugin.name}" needs "${dependency}", which is registered after it. Register "${dependency}" first.`
              : `Plugin "${plugin.name}" needs the plugin "${dependency}", which is not registered. Add app.use(...) for "${dependency}" before "${plugin.name}".`,
          );
        }
      }
    }
    this.compile();
    this.isReady = true;
  }

  /** Refuses to start when a feature declared with `app.requireCookieSecret()` has no secret to sign with. */
  private checkCookieSecret(): void {
    if (this.cookieSecretNeeds.length === 0 || this.runtime.cookieKeys.length > 0) return;
    throw new FrameworkError(
      'FW_ERR_COOKIE_SECRET',
      `${[...new Set(this.cookieSecretNeeds)].join(', ')} sign${this.cookieSecretNeeds.length > 1 ? '' : 's'} cookies, ` +
        'but the app has no cookie secret. Set the COOKIE_SECRET environment variable or pass ' +
        'createApp({ cookies: { secret } }) (32+ characters; make one with ' +
        `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))").`,
    );
  }

  /**
   * In production, each development default a plugin fell back to is logged once (warn) or, in
   * strict mode, refused with one error that lists them all. Outside production they are fine.
   */
  private checkProductionDefaults(): void {
    if (this.env !== 'production' || this.reportedDefaults === this.productionDefaults.length) return;
    const fresh = this.productionDefaults.slice(this.reportedDefaults);
    if (this.strict) {
      throw new FrameworkError(
        'FW_ERR_PRODUCTION_DEFAULT',
        `Refusing to start in production (strict mode) with development defaults:\n${fresh
          .map((entry) => `- ${entry.what}. ${entry.fix}.`)
          .join(
            '\n',
          )}\nConfigure each of them, or turn strict mode off (createApp({ strict: false }), FRAMEWORK_STRICT unset).`,
      );
    }
    for (const entry of fresh) {
      this.logger.warn(
        { what: entry.what, fix: entry.fix },
        `PRODUCTION WARNING: ${entry.what}. ${entry.fix}. (createApp({ strict: true }) or FRAMEWORK_STRICT=1 refuses to start like this.)`,
      );
    }
    this.reportedDefaults = this.productionDefaults.length;
  }

  /** Compiles every route (and the fallback) against what is registered now; `ready()` calls it last. */
  protected abstract compile(): void;
}
