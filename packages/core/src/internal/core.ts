import { bodyTooLarge, parseBody, parseContentType } from '../body.ts';
import { type ContextRuntime, RequestContext, type ResponseTable } from '../context.ts';
import { resolveCookieKeys } from '../cookies.ts';
import { FrameworkError, HttpError, isHttpError, STATUS_TEXT } from '../errors.ts';
import { closest } from '../options.ts';
import type { PluginCommand, PluginExports, PluginInstance, PluginScope, RouteOptionFactory } from '../plugin.ts';
import { isReply, JSON_TYPE, mergeHeaders, PROBLEM_TYPE, Reply, type ReplyHeaders, toReply } from '../reply.ts';
import { Router, RouterError } from '../router/radix.ts';
import { DEFAULT_QUERY_LIMITS, normalizeRequestPath, type QueryLimits, uriTooLong } from '../security/hardening.ts';
import { applyNonce, type CompiledSecurity, compileSecurity, type SecurityOptions } from '../security/headers.ts';
import { compileTrust, type TrustProxy } from '../security/trust-proxy.ts';
import type { RunningServer } from '../server/node.ts';
import type { ServerAddress, ServerLimits, ServerRequest } from '../server/types.ts';
import { isStandardSchema, type StandardSchemaV1, validateInput } from '../standard-schema.ts';
import type { RouteInfo } from '../types.ts';
import { type UploadSpec, uploadSpecOf } from '../uploads/file.ts';
import { receiveMultipart, releaseUploads } from '../uploads/multipart.ts';
import type { UploadOptions } from '../uploads/scan.ts';
import { compose, type RuntimeMiddleware, type Terminal } from './compose.ts';
import { createLogger, type Logger } from './logger.ts';
import { checkStaticStatus, compileResponseTable, unschemed, unschemedReply } from './route-schema.ts';

export type { Logger } from './logger.ts';

/**
 * Options for `createApp()`. Every one has a safe default.
 *
 * @example
 * ```ts
 * createApp({ bodyLimit: 5 * 1024 * 1024, cookies: { secret: process.env.COOKIE_SECRET } });
 * ```
 */
export interface AppOptions {
  /** Largest request body in bytes; larger gets 413. Default 1 MiB. Routes may set their own `bodyLimit`. */
  bodyLimit?: number;
  /**
   * Keys for signed cookies (and CSRF tokens); the first signs, all verify (rotate by adding a new key
   * first). Each needs 32+ characters. Default: the `COOKIE_SECRET` environment variable
   * (comma-separated to rotate); with neither, signing a cookie throws.
   */
  cookies?: { secret?: string | readonly string[] };
  /** Where errors and warnings go. Default: JSON lines on stderr. `false` silences it. */
  logger?: Logger | false;
  /**
   * Put error messages and stacks of unexpected (500) errors in responses. Default: only when
   * NODE_ENV is `development` or `test`; never do this in production.
   */
  exposeErrors?: boolean;
  /**
   * Validate response bodies with the full response schema (every constraint, clear errors) rather
   * than only through its compiled serializer (declared fields, JSON types). Default: as `exposeErrors`,
   * i.e. in development and tests.
   */
  validateResponses?: boolean;
  /** Treat `/users/` like `/users`. Default false. */
  ignoreTrailingSlash?: boolean;
  /** Longest route parameter, in characters; longer does not match (404). Default 100. */
  maxParamLength?: number;
  /** Server limits and timeouts. */
  server?: Partial<ServerLimits>;
  /**
   * Security headers (helmet's set, on every response, errors included). On by default;
   * `security: { headers: false }` turns them off. Same options as `app.security()`.
   */
  security?: SecurityOptions;
  /**
   * Which proxies to believe about the client's address, protocol and host (`X-Forwarded-*`).
   * Default `false`: none, so a spoofed `X-Forwarded-For` cannot change `ctx.ip`.
   */
  trustProxy?: TrustProxy;
  /** Limits on query strings and urlencoded bodies: parameter count, values per key, prototype keys. */
  query?: Partial<QueryLimits>;
  /**
   * Answer 400 to request paths that a file server and the router could read differently (`..`,
   * `%2e%2e`, `..%2f`, `//`, backslashes, `%00`) and decode percent-encoded unreserved characters
   * (`/%61dmin` is `/admin`) before routing. Default true; `false` routes the path exactly as sent.
   */
  strictPaths?: boolean;
  /** Hosts `ctx.redirect()` may send clients to besides the request's own (e.g. `['accounts.example.com']`). */
  redirect?: { allowedHosts?: readonly string[] };
  /** File uploads: the malware scanner, what to do on a detection, the temporary directory. */
  uploads?: UploadOptions;
  /**
   * Refuse to start in production (`NODE_ENV=production`) when a plugin would fall back to a
   * development default: an embedded database folder, jobs on the in-process driver, a per-process
   * signing key. Without it each such default is logged once, loudly, at start-up. Default: the
   * `FRAMEWORK_STRICT` environment variable (`1` or `true`), else false.
   */
  strict?: boolean;
  /**
   * Milliseconds `app.stop()` gives the `onClose` hooks (closing pools, connections, workers) after
   * the server has drained, all together. A hook still running then is logged and left behind, so
   * `stop()` finishes within its deadline whatever a dependency does. Default 10 000.
   */
  closeTimeout?: number;
}

/** A development default a plugin fell back to (`app.productionDefault()`). */
export interface ProductionDefault {
  /** What the plugin does, e.g. `@framework/db stores data in the PGlite folder .data/pglite`. */
  readonly what: string;
  /** What to write instead, e.g. `Set DATABASE_URL=postgres://user:password@host:5432/app`. */
  readonly fix: string;
}

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

interface CompiledRoute {
  run: Terminal;
  bodyLimit: number;
  hooks: Hooks;
  /** Whether requests may leave temporary upload files to remove. */
  uploads: boolean;
  /** The route's response schemas; a 2xx body with none of them is refused. */
  responses: ResponseTable | undefined;
}

/**
 * A synchronous check core runs on every route's request after its body was read and before its
 * schemas, middleware and handler (CSRF). Chosen per route at compile time by `applies(method)`,
 * so a route it never concerns pays nothing; it throws an `HttpError` to refuse.
 */
export interface RequestGuard {
  applies(method: string): boolean;
  check(ctx: RequestContext): void;
  /**
   * For a `multipart/form-data` request to an upload route: runs instead of `check` once the text
   * fields sent before the first file have arrived (or the body ended), before any file is stored.
   */
  checkFields?(ctx: RequestContext, fields: Readonly<Record<string, string | string[]>>): void;
}

interface ViewLike {
  child(prefix: string, encapsulated: boolean): ViewLike;
}

const CORE_ROUTE_KEYS = new Set(['handler', 'schema', 'middlewares', 'meta', 'status', 'bodyLimit']);
const EMPTY_PARAMS: Record<string, string> = Object.freeze(Object.create(null));
const DEFAULT_LIMITS: ServerLimits = {
  headersTimeout: 15_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 72_000,
  maxHeaderSize: 16 * 1024,
  maxHeadersCount: 100,
  maxUrlLength: 8 * 1024,
  shutdownTimeout: 25_000,
};

function hasBody(body: Reply['body']): boolean {
  if (body === null) return false;
  if (typeof body === 'string' || body instanceof Uint8Array) return body.length > 0;
  return true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function scopeChain(scope: Scope): Scope[] {
  const chain: Scope[] = [];
  for (let current: Scope | undefined = scope; current; current = current.parent) chain.unshift(current);
  return chain;
}

/** The scope that owns middleware added in `scope`: itself when encapsulated or the root. */
export function ownerScope(scope: Scope): Scope {
  let current = scope;
  while (!current.encapsulated && current.parent !== undefined) current = current.parent;
  return current;
}

function underPrefix(path: string, prefix: string): boolean {
  return (
    prefix === '' ||
    (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47))
  );
}

/** Reads and validates what a route's schemas cover, before the middleware chain runs. */
async function validateRequest(ctx: RequestContext, schema: Record<string, unknown>): Promise<void> {
  if (isStandardSchema(schema.params)) ctx.params = (await validateInput(schema.params, 'params', ctx.params)) as never;
  if (isStandardSchema(schema.query)) ctx.parsedQuery = await validateInput(schema.query, 'query', ctx.query);
  if (isStandardSchema(schema.headers)) ctx.parsedHeaders = await validateInput(schema.headers, 'headers', ctx.headers);
  if (isStandardSchema(schema.body)) {
    const raw = ctx.rawBody;
    const value =
      raw === undefined ? undefined : parseBody(raw, ctx.contentType(), ['json', 'form'], ctx.runtime.queryLimits);
    ctx.parsedBody = await validateInput(schema.body, 'body', value);
    ctx.bodyParsed = true;
  }
}

export class AppCore {
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
  private readonly plugins: Array<{ name: string; dependencies: readonly string[]; before: Set<string> }> = [];
  private readonly pending: Array<Promise<unknown>> = [];
  private readonly routeOptions = new Map<string, { plugin: string; factory: RouteOptionFactory<never> }>();
  private version = 0;
  private compiledVersion = -1;
  private isReady = false;
  private fallback: CompiledRoute | undefined;

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
    const names = new Set(this.plugins.map((entry) => entry.name));
    if (names.has(plugin.name)) return;
    this.plugins.push({ name: plugin.name, dependencies: plugin.dependencies, before: names });
    const encapsulated = (options.scope ?? plugin.scope.scope) === 'encapsulated';
    const prefix = options.prefix ?? plugin.scope.prefix ?? '';
    const target = encapsulated || prefix !== '' ? view.child(prefix, encapsulated) : view;
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

  private compile(): void {
    for (const route of this.routes) route.compiled = this.compileRoute(route);
    this.fallback = this.compileFallback();
    this.compiledVersion = this.version;
  }

  private collect(scope: Scope, path: string | undefined): { middlewares: RuntimeMiddleware[]; hooks: Hooks } {
    const middlewares: RuntimeMiddleware[] = [];
    const hooks: Hooks = { onRequest: [], onResponse: [], onError: [] };
    for (const current of scopeChain(scope)) {
      for (const entry of current.middlewares) {
        if (path === undefined || underPrefix(path, entry.prefix)) middlewares.push(entry.fn);
        else continue;
      }
      hooks.onRequest.push(...current.hooks.onRequest);
      hooks.onResponse.push(...current.hooks.onResponse);
      hooks.onError.push(...current.hooks.onError);
    }
    return { middlewares, hooks };
  }

  private compileRoute(route: RouteRecord): CompiledRoute {
    const { config } = route;
    const { middlewares, hooks } = this.collect(route.scope, route.path);
    const info: RouteInfo = { method: route.method, path: route.path, meta: config.meta as RouteInfo['meta'] };
    for (const key of Object.keys(config)) {
      if (CORE_ROUTE_KEYS.has(key) || config[key] === undefined) continue;
      const option = this.routeOptions.get(key);
      if (!option) {
        const guess = closest(key, [...CORE_ROUTE_KEYS, ...this.routeOptions.keys()]);
        throw new FrameworkError(
          'FW_ERR_ROUTE_OPTION',
          `Route ${route.method} ${route.path} sets "${key}", but no registered plugin provides that option.` +
            (guess === undefined ? '' : ` Did you mean "${guess}"?`) +
            ` Core route options: ${[...CORE_ROUTE_KEYS].join(', ')}` +
            (this.routeOptions.size === 0 ? '' : `; from plugins: ${[...this.routeOptions.keys()].join(', ')}`) +
            '. If a plugin provides it, register that plugin (for example app.use(auth(...)) for "auth") before starting the app.',
        );
      }
      const middleware = option.factory(config[key] as never, info);
      if (middleware !== undefined) middlewares.push(middleware as unknown as RuntimeMiddleware);
    }
    const own = config.middlewares;
    if (Array.isArray(own)) middlewares.push(...(own as RuntimeMiddleware[]));
    const handler = config.handler as (ctx: RequestContext) => unknown;
    const schema = (config.schema ?? undefined) as Record<string, unknown> | undefined;
    const responses = compileResponseTable(`${route.method} ${route.path}`, schema?.response);
    const status = typeof config.status === 'number' ? config.status : 200;
    if (responses !== undefined) checkStaticStatus(responses, status, typeof config.status === 'number');
    // An upload() body is streamed to temporary files, never buffered: its limit covers its files.
    const upload = uploadSpecOf(schema?.body);
    if (upload !== undefined) this.checkUpload(route, upload);
    const bodyLimit =
      typeof config.bodyLimit === 'number'
        ? config.bodyLimit
        : upload === undefined
          ? this.bodyLimit
          : Object.values(upload.files).reduce((sum, f) => sum + f.maxSize, this.bodyLimit);
    const finish = (value: unknown, ctx: RequestContext) => this.toReply(value, ctx);
    // Not async: a synchronous handler costs no extra promise, an async one a single `then`.
    const terminal: Terminal = (ctx) => {
      const value = handler(ctx);
      if (value instanceof Promise) return value.then((settled) => finish(settled, ctx));
      // Other thenables (query builders awaited on return, e.g. `return ctx.db.users.where(...)`).
      if (isThenable(value)) return Promise.resolve(value).then((settled) => finish(settled, ctx));
      return finish(value, ctx);
    };
    const chain = compose(middlewares, terminal, finish);
    const onRequest = hooks.onRequest;
    const readBody = (ctx: RequestContext): Promise<void> | undefined => {
      const request = ctx.request;
      if (!request.hasBody || upload !== undefined) return undefined;
      if (request.contentLength > bodyLimit) throw bodyTooLarge(bodyLimit);
      return request.readBody(bodyLimit).then((raw) => {
        ctx.rawBody = raw;
      });
    };
    const guards = this.guards.filter((guard) => guard.applies(route.method));
    const guarded: Terminal =
      guards.length === 0
        ? chain
        : (ctx) => {
            for (const guard of guards) guard.check(ctx);
            return chain(ctx);
          };
    const full: Terminal = async (ctx) => {
      ctx.statusCode = status;
      ctx.responses = responses;
      for (const hook of onRequest) {
        const early = await hook(ctx);
        if (early !== undefined) return finish(early, ctx);
      }
      await readBody(ctx);
      // On an upload route, guards that read form fields (CSRF's `_csrf`) wait for the multipart
      // text fields; the others, and every guard for a body that is not multipart, run now.
      const multipart = upload !== undefined && parseContentType(ctx.contentType())?.type === 'multipart/form-data';
      for (const guard of guards) if (!multipart || guard.checkFields === undefined) guard.check(ctx);
      if (upload !== undefined) {
        await validateRequest(ctx, { ...schema, body: undefined });
        if (ctx.request.contentLength > bodyLimit) throw bodyTooLarge(bodyLimit);
        const beforeFiles = multipart
          ? (fields: Readonly<Record<string, string | string[]>>) => {
              for (const guard of guards) guard.checkFields?.(ctx, fields);
            }
          : undefined;
        const input = await receiveMultipart(
          ctx,
          ctx.request,
          upload,
          bodyLimit,
          this.uploads,
          this.logger,
          beforeFiles,
        );
        ctx.parsedBody = await validateInput(schema!.body as StandardSchemaV1, 'body', input);
        ctx.bodyParsed = true;
      } else if (schema !== undefined) await validateRequest(ctx, schema);
      return chain(ctx);
    };
    // The common case (no hooks, no schema) skips the async wrapper and its promise.
    const fast: Terminal = (ctx) => {
      ctx.statusCode = status;
      ctx.responses = responses;
      const reading = readBody(ctx);
      return reading === undefined ? guarded(ctx) : reading.then(() => guarded(ctx));
    };
    const run = onRequest.length > 0 || schema !== undefined ? full : fast;
    return { run, bodyLimit, hooks, uploads: upload !== undefined, responses };
  }

  private checkUpload(route: RouteRecord, upload: UploadSpec): void {
    for (const [name, options] of Object.entries(upload.files)) {
      if (options.scan === true && this.uploads.scanner === undefined) {
        throw new FrameworkError(
          'FW_ERR_UPLOAD_CONFIG',
          `Route ${route.method} ${route.path}: file "${name}" sets scan: true but the app has no scanner. ` +
            'Pass createApp({ uploads: { scanner: clamav(...) } }) or a scanner to file({ scan }).',
        );
      }
    }
  }

  private compileFallback(): CompiledRoute {
    const root = this.rootScope;
    const hooks = this.collect(root, undefined).hooks;
    const terminal: Terminal = async (ctx) => {
      const allowed = this.router.allowed(ctx.path);
      if (allowed.length > 0) {
        const allow = allowed.includes('OPTIONS') ? allowed : [...allowed, 'OPTIONS'].sort();
        if (ctx.method === 'OPTIONS') return new Reply(204, { allow: allow.join(', ') }, null);
        throw new HttpError(405, `${ctx.method} is not allowed on ${ctx.path}; use ${allow.join(', ')}.`, {
          code: 'FW_ERR_METHOD_NOT_ALLOWED',
          headers: { allow: allow.join(', ') },
        });
      }
      if (this.notFoundHandler) {
        ctx.statusCode = 404;
        return this.toReply(await this.notFoundHandler(ctx as never), ctx);
      }
      throw new HttpError(404, `No route matches ${ctx.method} ${ctx.path}.`, { code: 'FW_ERR_NOT_FOUND' });
    };
    // Prefix-scoped middleware cannot be chosen at start-up for paths no route declares, so each checks the path.
    const middlewares = root.middlewares.map(
      ({ prefix, fn }): RuntimeMiddleware =>
        prefix === '' ? fn : (ctx, next) => (underPrefix(ctx.path, prefix) ? fn(ctx, next) : next()),
    );
    const chain = compose(middlewares, terminal, (value, ctx) => this.toReply(value, ctx));
    const run: Terminal = async (ctx) => {
      for (const hook of hooks.onRequest) {
        const early = await hook(ctx);
        if (early !== undefined) return this.toReply(early, ctx);
      }
      return chain(ctx);
    };
    return { run, bodyLimit: this.bodyLimit, hooks, uploads: false, responses: undefined };
  }

  /** The body limit that applies to a request, for answering `Expect: 100-continue` before reading. */
  bodyLimitFor(method: string, path: string): number {
    try {
      const match = this.router.find(method, path);
      return match?.value.compiled?.bodyLimit ?? this.bodyLimit;
    } catch {
      return this.bodyLimit;
    }
  }

  toReply(value: unknown, ctx: RequestContext): Reply | Promise<Reply> {
    if (
      ctx.responses !== undefined &&
      value !== undefined &&
      typeof value !== 'string' &&
      !isReply(value) &&
      !(value instanceof Uint8Array) &&
      !(typeof Response !== 'undefined' && value instanceof Response)
    ) {
      return new Reply(ctx.statusCode, { 'content-type': JSON_TYPE }, ctx.serialize(value, ctx.statusCode));
    }
    return toReply(value, ctx.statusCode);
  }

  /**
   * Routes a request, runs it and returns the reply, never throwing. The reply comes back
   * synchronously when nothing on the request's path is asynchronous (no body to read, no async
   * handler, hook or middleware), so a driver can write it without a promise or a microtask.
   */
  handle(request: ServerRequest): Reply | Promise<Reply> {
    if (!this.isReady || this.compiledVersion !== this.version) {
      return this.prepare().then(() => this.handle(request));
    }
    const target = request.url;
    let start = 0;
    if (target.charCodeAt(0) !== 47) {
      // Absolute-form targets (`GET http://host/path`) are routed by their path only (RFC 9112 §3.2.2).
      const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
      if (authority) start = authority[0].length;
    }
    const query = target.indexOf('?', start);
    let path = query === -1 ? (start === 0 ? target : target.slice(start)) : target.slice(start, query);
    if (path === '') path = '/';
    const queryString = query === -1 ? '' : target.slice(query + 1);
    const method = request.method;

    let record: RouteRecord | undefined;
    let params = EMPTY_PARAMS;
    let routingError: unknown;
    try {
      if (target.length > this.limits.maxUrlLength) throw uriTooLong(this.limits.maxUrlLength);
      if (this.strictPaths) path = normalizeRequestPath(path);
      let match = this.router.find(method, path);
      // HEAD is answered by a HEAD route, else by the GET route, and only then by an `all` route.
      if (method === 'HEAD' && (match === null || match.value.method === 'ALL')) {
        match = this.router.find('GET', path) ?? match;
      }
      if (match !== null) {
        record = match.value;
        params = match.params;
      }
    } catch (error) {
      routingError =
        error instanceof RouterError
          ? new HttpError(
              400,
              'The request path contains invalid percent-encoding; encode it with encodeURIComponent.',
              {
                code: 'FW_ERR_BAD_PATH',
              },
            )
          : error;
    }
    const ctx = new this.Ctx(this.runtime, request, method, path, queryString, params);
    const compiled = record?.compiled ?? this.fallback!;
    let result: Reply | Promise<Reply>;
    try {
      if (routingError !== undefined) throw routingError;
      result = compiled.run(ctx);
    } catch (error) {
      return this.failed(error, ctx, compiled);
    }
    if (result instanceof Promise) {
      return result.then(
        (reply) => this.answered(reply, ctx, compiled),
        (error: unknown) => this.failed(error, ctx, compiled),
      );
    }
    return this.answered(result, ctx, compiled);
  }

  /**
   * A route's own reply. On a route that declares response schemas, a 2xx body that none of them
   * covers (`ctx.json(user, 202)` next to a `200` schema, a `Reply` or text built by hand) is
   * refused as a 500 rather than sent unfiltered.
   */
  private answered(reply: Reply, ctx: RequestContext, compiled: CompiledRoute): Reply | Promise<Reply> {
    const table = compiled.responses;
    if (table !== undefined && unschemed(table, reply.status, hasBody(reply.body))) {
      return this.failed(unschemedReply(table, reply.status), ctx, compiled);
    }
    return this.complete(reply, ctx, compiled);
  }

  private async prepare(): Promise<void> {
    if (!this.isReady) await this.ready();
    if (this.compiledVersion !== this.version) this.compile();
  }

  private async failed(error: unknown, ctx: RequestContext, compiled: CompiledRoute): Promise<Reply> {
    return this.complete(await this.renderError(error, ctx, compiled.hooks.onError), ctx, compiled);
  }

  private complete(reply: Reply, ctx: RequestContext, compiled: CompiledRoute): Reply | Promise<Reply> {
    // Temporary upload files the handler did not move; a stream it opened on one stays readable.
    if (compiled.uploads) void releaseUploads(ctx);
    if (ctx.responseHeaders !== undefined) mergeHeaders(reply, ctx.responseHeaders);
    const onResponse = compiled.hooks.onResponse;
    if (onResponse.length > 0) return this.runOnResponse(reply, ctx, onResponse);
    if (this.security.nonce !== undefined) applyNonce(reply, this.security, ctx.cspNonce);
    return reply;
  }

  private async runOnResponse(reply: Reply, ctx: RequestContext, hooks: Hooks['onResponse']): Promise<Reply> {
    let current = reply;
    for (const hook of hooks) {
      try {
        const replaced = await hook(ctx, current);
        if (isReply(replaced)) current = replaced;
      } catch (error) {
        this.logger.error({ err: error }, 'an onResponse hook failed; the reply is sent as it was');
      }
    }
    if (this.security.nonce !== undefined) applyNonce(current, this.security, ctx.cspNonce);
    return current;
  }

  private async renderError(error: unknown, ctx: RequestContext, observers: Hooks['onError']): Promise<Reply> {
    for (const observer of observers) {
      try {
        await observer(error, ctx);
      } catch (hookError) {
        this.logger.error({ err: hookError }, 'an onError hook failed');
      }
    }
    let current = error;
    if (this.errorHandler) {
      try {
        ctx.statusCode = isHttpError(error) ? error.status : 500;
        ctx.responses = undefined;
        const answer = await this.errorHandler(error as never, ctx as never);
        if (answer !== undefined) return await this.toReply(answer, ctx);
      } catch (handlerError) {
        current = handlerError;
      }
    }
    return this.problem(current, ctx);
  }

  /** The default answer to an error: RFC 9457 problem+json, with no internals unless exposeErrors. */
  problem(error: unknown, ctx: RequestContext | undefined): Reply {
    const headers: ReplyHeaders = { 'content-type': PROBLEM_TYPE };
    if (isHttpError(error)) {
      if (error.log) this.logger.error({ err: error, method: ctx?.method, path: ctx?.path }, error.message);
      for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value;
      const title = STATUS_TEXT[error.status] ?? 'Error';
      const detail = error.expose || this.exposeErrors ? error.message : title;
      const body = { type: 'about:blank', title, status: error.status, detail, code: error.code, ...error.details };
      return new Reply(error.status, headers, JSON.stringify(body));
    }
    this.logger.error({ err: error, method: ctx?.method, path: ctx?.path }, 'unhandled error in a request');
    const body: Record<string, unknown> = {
      type: 'about:blank',
      title: STATUS_TEXT[500],
      status: 500,
      detail: 'An unexpected error occurred; it has been logged.',
    };
    if (this.exposeErrors && error instanceof Error) {
      body.detail = error.message;
      if (error instanceof FrameworkError) body.code = error.code;
      body.stack = error.stack?.split('\n').map((line) => line.trim());
    }
    return new Reply(500, headers, JSON.stringify(body));
  }
}

export function createCore(options: AppOptions): AppCore {
  return new AppCore(options);
}
