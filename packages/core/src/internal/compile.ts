import { bodyTooLarge, parseBody, parseContentType } from '../body.ts';
import type { RequestContext } from '../context.ts';
import { FrameworkError, HttpError } from '../errors.ts';
import { closest } from '../options.ts';
import { isReply, JSON_TYPE, Reply, toReply } from '../reply.ts';
import { isStandardSchema, type StandardSchemaV1, validateInput } from '../standard-schema.ts';
import type { RouteInfo } from '../types.ts';
import { type UploadSpec, uploadSpecOf } from '../uploads/file.ts';
import { receiveMultipart } from '../uploads/multipart.ts';
import { compose, type RuntimeMiddleware, type Terminal } from './compose.ts';
import { CORE_ROUTE_KEYS, type CompiledRoute, type Hooks, Registry, type RouteRecord, type Scope } from './registry.ts';
import { checkStaticStatus, compileResponseTable } from './route-schema.ts';

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
/**
 * The second stage: turns each registered route into one function that runs its onRequest hooks,
 * reads its body, runs its guards, validates its input, and runs its middleware and handler
 * (`compileRoute`); the fallback answers 404, 405 and OPTIONS for paths no route matches.
 */
export class RouteCompiler extends Registry {
  protected compiledVersion = -1;
  protected fallback: CompiledRoute | undefined;

  protected compile(): void {
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
    const options: Record<string, unknown> = {};
    // Route options' checks (authentication): they run before the body is read and validated.
    const checks: ((ctx: RequestContext) => unknown)[] = [];
    for (const key of Object.keys(config)) {
      if (!CORE_ROUTE_KEYS.has(key) && config[key] !== undefined) options[key] = config[key];
    }
    const info: RouteInfo = {
      method: route.method,
      path: route.path,
      meta: config.meta as RouteInfo['meta'],
      options: Object.freeze(options),
    };
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
      const made = option.factory(config[key] as never, info);
      if (typeof made === 'function') middlewares.push(made as unknown as RuntimeMiddleware);
      else if (made !== undefined) checks.push(made.check as unknown as (ctx: RequestContext) => unknown);
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
      for (const check of checks) await check(ctx);
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
    const run = onRequest.length > 0 || schema !== undefined || checks.length > 0 ? full : fast;
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
}
