/**
 * The type machinery behind routes: path parameters, schema inference, middleware extensions and
 * handler results. Users meet these types through inference; they rarely write them.
 */
import type { Context, Params, Query, RequestHeaders } from './context.ts';
import type { Reply } from './reply.ts';
import type { InferInput, InferOutput, StandardSchemaV1 } from './standard-schema.ts';

type Segments<P extends string> = P extends `${infer Head}/${infer Tail}` ? Head | Segments<Tail> : P;
type ParamName<S extends string> = S extends `:${infer Name}(${string}`
  ? Name
  : S extends `:${infer Name}`
    ? Name
    : S extends '*'
      ? '*'
      : never;

/**
 * The parameters a route path declares: `PathParams<'/users/:id/files/*'>` is
 * `{ id: string; '*': string }`.
 *
 * @example
 * ```ts
 * type P = PathParams<'/orgs/:org/repos/:repo(\\d+)'>; // { org: string; repo: string }
 * ```
 */
export type PathParams<P extends string> = string extends P ? Params : { [K in ParamName<Segments<P>>]: string };

/**
 * Joins a group prefix and a route path the way the router does.
 *
 * @example
 * ```ts
 * type Full = JoinPath<'/api', '/users/:id'>; // '/api/users/:id'
 * ```
 */
export type JoinPath<Prefix extends string, Path extends string> = Prefix extends ''
  ? Path
  : Path extends '/'
    ? Prefix
    : `${Prefix}${Path}`;

/**
 * Schemas that validate and type the parts of a request, and the bodies each status may return.
 * Any Standard Schema library works (zod, valibot, arktype).
 *
 * @example
 * ```ts
 * const schema = {
 *   params: z.object({ id: z.coerce.number().int() }),
 *   response: { 200: z.object({ id: z.number(), name: z.string() }) },
 * } satisfies RouteSchema;
 * ```
 */
export interface RouteSchema {
  params?: StandardSchemaV1;
  query?: StandardSchemaV1;
  body?: StandardSchemaV1;
  headers?: StandardSchemaV1;
  response?: ResponseSchemas;
}

/**
 * The response schemas of a route, by status: an exact status (`200`), a class (`'2xx'`, `'4xx'`,
 * `'5xx'`) or `'default'`. A reply uses the exact status's schema, else its class's, else
 * `default`. On a route that declares any, a 2xx body with none of them is never sent: a static
 * `status` without one is a type error and a start-up error, and such a reply at run time a 500.
 *
 * @example
 * ```ts
 * const response = {
 *   201: z.object({ id: z.number(), name: z.string() }),
 *   '4xx': z.object({ title: z.string(), detail: z.string() }),
 * } satisfies ResponseSchemas;
 * ```
 */
export interface ResponseSchemas {
  [status: number]: StandardSchemaV1;
  '1xx'?: StandardSchemaV1;
  '2xx'?: StandardSchemaV1;
  '3xx'?: StandardSchemaV1;
  '4xx'?: StandardSchemaV1;
  '5xx'?: StandardSchemaV1;
  default?: StandardSchemaV1;
}

/** Statuses that carry no body, so they need no response schema. */
type BodilessStatus = 204 | 205 | 304;

/**
 * The statuses a route with schemas `S` may set as its static `status`: any when it declares no
 * response schemas or a `'2xx'`/`'default'` one, else its declared statuses and the bodiless ones.
 *
 * @example
 * ```ts
 * type S = RouteStatus<{ response: { 201: typeof User } }>; // 201 | 204 | 205 | 304
 * ```
 */
export type RouteStatus<S> = S extends { response: infer R }
  ? Extract<keyof R, '2xx' | 'default'> extends never
    ? Extract<keyof R, number> | BodilessStatus
    : number
  : number;

type SchemaOutput<S, K extends string, Fallback> = S extends { [P in K]: infer X }
  ? X extends StandardSchemaV1
    ? InferOutput<X>
    : Fallback
  : Fallback;

type ResponsesOf<S> = S extends { response: infer R } ? R : {};

/**
 * The context type of a route with path `Path` and schemas `S`.
 *
 * @example
 * ```ts
 * type Ctx = ContextFor<'/users/:id', {}>; // Ctx['params'] is { id: string }
 * ```
 */
export type ContextFor<Path extends string, S> = Context<
  SchemaOutput<S, 'params', PathParams<Path>>,
  SchemaOutput<S, 'query', Query>,
  SchemaOutput<S, 'body', unknown>,
  SchemaOutput<S, 'headers', RequestHeaders>,
  ResponsesOf<S>
>;

/**
 * `next` in a middleware. Calling it runs the rest of the chain and resolves to its `Reply`;
 * passing an object adds its properties to the context seen downstream, and their types flow to
 * the handlers.
 *
 * @example
 * ```ts
 * const withRequestId: Middleware<Context, Context & { requestId: string }> = (ctx, next) =>
 *   next({ requestId: crypto.randomUUID() });
 * ```
 */
export type Next<TExtension = {}> = (
  ...args: {} extends TExtension ? [extension?: object] : [extension: TExtension]
) => Promise<Reply>;

/**
 * The properties `TOut` adds to `TIn`: what a middleware must pass to `next()`.
 *
 * @example
 * ```ts
 * type Added = AddedKeys<Context & { user: User }, Context>; // { user: User }
 * ```
 */
export type AddedKeys<TOut, TIn> = { [K in keyof TOut as K extends keyof TIn ? never : K]: TOut[K] };

/**
 * A middleware: `async (ctx, next) => ...`. It may return a response without calling `next`
 * (ending the request there), call `next()` and return or change its reply, or call
 * `next(extension)` to give downstream middleware and the handler more context. `TOut` says what
 * the context looks like after it.
 *
 * @example
 * ```ts
 * const auth: Middleware<Context, Context & { user: User }> = async (ctx, next) => {
 *   const user = await verifyToken(ctx.headers.authorization);
 *   return next({ ...ctx, user });
 * };
 * ```
 */
export type Middleware<TIn = Context, TOut = TIn> = (ctx: TIn, next: Next<AddedKeys<TOut, TIn>>) => unknown;

/**
 * Any middleware, whatever its context types.
 *
 * @example
 * ```ts
 * const common: AnyMiddleware[] = [withRequestId, auth]; // middleware that add different properties
 * ```
 */
export type AnyMiddleware = (ctx: never, next: never) => unknown;

/**
 * The context a middleware adds.
 *
 * @example
 * ```ts
 * const auth: Middleware<Context, Context & { user: User }> = async (ctx, next) => next({ user: await load(ctx) });
 * type Added = ExtensionOf<typeof auth>; // { user: User }
 * ```
 */
export type ExtensionOf<M> = M extends (ctx: never, next: infer N) => unknown
  ? 0 extends 1 & N
    ? {}
    : N extends Next<infer E>
      ? E
      : {}
  : {};

/**
 * The context a list of middleware adds, left to right.
 *
 * @example
 * ```ts
 * type Added = ExtensionsOf<[typeof withRequestId, typeof auth]>; // { requestId: string } & { user: User }
 * ```
 */
export type ExtensionsOf<M extends readonly unknown[]> = M extends readonly [infer Head, ...infer Tail]
  ? ExtensionOf<Head> & ExtensionsOf<Tail>
  : {};

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206 | '2xx' | 'default';

/**
 * What a handler may return: anything, or with response schemas, the success body or a `Reply`.
 *
 * @example
 * ```ts
 * const schema = { response: { 200: z.object({ id: z.number() }) } };
 * const result: HandlerResult<typeof schema> = { id: 1 }; // { id: '1' } does not compile
 * ```
 */
export type HandlerResult<S> = S extends { response: infer R }
  ? [Extract<keyof R, SuccessStatus>] extends [never]
    ? unknown
    : InferInput<R[Extract<keyof R, SuccessStatus>]> | Reply | Response | undefined | void
  : unknown;

/**
 * A route handler: `async (ctx) => value`. The value becomes the response.
 *
 * @example
 * ```ts
 * const handler: Handler<ContextFor<'/users/:id', {}>> = async (ctx) => ({ id: ctx.params.id });
 * ```
 */
export type Handler<Ctx, S = {}> = (ctx: Ctx) => HandlerResult<S> | PromiseLike<HandlerResult<S>>;

/**
 * Documentation metadata for a route, listed with it by `app.routes()`.
 *
 * @example
 * ```ts
 * app.get('/users/:id', {
 *   meta: { summary: 'Get a user', tags: ['users'], responses: { 404: 'No such user' } },
 *   handler: (ctx) => findUser(ctx.params.id),
 * });
 * ```
 */
export interface RouteMeta {
  description?: string;
  summary?: string;
  tags?: string[];
  deprecated?: boolean;
  responses?: Record<number, string>;
  [key: string]: unknown;
}

/** The middleware of `M` before index `I` (a tuple index as a string). */
type Before<M extends readonly unknown[], I, Acc extends unknown[] = []> = M extends readonly [infer H, ...infer T]
  ? `${Acc['length']}` extends I
    ? Acc
    : Before<T, I, [...Acc, H]>
  : Acc;

/**
 * What middleware `F` must be, in a route whose context at that point is `Ctx`: a middleware written
 * inline (no parameter types of its own) is typed with `Ctx` (TypeScript types it before it knows
 * the list, so without what the others add); a typed one is accepted when every property it reads
 * beyond the base `Context` is in `Ctx`.
 */
/** A middleware written inline in a route: typed by the route's context, extending nothing. */
type InlineMiddleware<Ctx> = (ctx: Ctx, next: Next) => unknown;

type MiddlewareSlot<F, Ctx> = F extends (ctx: infer X, next: never) => unknown
  ? [X] extends [never]
    ? InlineMiddleware<Ctx>
    : 0 extends 1 & X
      ? InlineMiddleware<Ctx>
      : [Exclude<keyof X, keyof Context | keyof Ctx>] extends [never]
        ? F
        : InlineMiddleware<Ctx>
  : InlineMiddleware<Ctx>;

/**
 * The middleware list of a route, each checked against the context it runs in: the route's
 * context `Ctx` and what the middleware before it in the list add.
 *
 * @example
 * ```ts
 * type Checked = RouteMiddlewares<[typeof auth, typeof requireAdmin], Context>; // requireAdmin sees ctx.user
 * ```
 */
export type RouteMiddlewares<M extends readonly unknown[], Ctx> = {
  readonly [I in keyof M]: MiddlewareSlot<M[I], Ctx & ExtensionsOf<Before<M, I>>>;
};

/**
 * A route declared with options instead of a bare handler.
 *
 * @example
 * ```ts
 * app.post('/users', {
 *   schema: { body: z.object({ name: z.string() }) },
 *   status: 201,
 *   handler: async (ctx) => ({ user: await createUser(ctx.body) }),
 * });
 * ```
 */
export type RouteConfig<Path extends string, S extends RouteSchema, M extends readonly AnyMiddleware[], C, RO> = {
  /** Schemas that validate and type the request and the responses. */
  schema?: S;
  /**
   * Middleware for this route only, run after the app's and the group's, in order. One written
   * inline is typed with the route's context (validated params, query, body and headers, and what
   * the app's middleware and plugins add): `middlewares: [(ctx, next) => (ctx.params.id ? next() :
   * ctx.text('no id', 400))]`. A typed one (`Middleware<Context & { user: User }>`) may read what the
   * typed middleware before it add; one that needs a property nothing before it adds (`ctx.user`
   * before `auth`) is a type error. The handler sees what all of them add.
   */
  middlewares?: M & RouteMiddlewares<M, ContextFor<Path, Omit<S, 'response'>> & C>;
  /** Produces the response. */
  handler: Handler<ContextFor<Path, S> & C & ExtensionsOf<M>, S>;
  /** Documentation metadata. */
  meta?: RouteMeta;
  /**
   * Status for a plain returned value (200 by default, e.g. 201 for a create). With response
   * schemas it must have one (exact, `'2xx'` or `'default'`), unless it is 204, 205 or 304.
   */
  status?: RouteStatus<S>;
  /** Body size limit in bytes for this route, instead of the app's. */
  bodyLimit?: number;
} & { [K in keyof RO]?: RO[K] };

/**
 * Information about a route, given to plugins' route-option factories.
 *
 * @example
 * ```ts
 * const audit: RouteOptionFactory<boolean> = (on, route: RouteInfo) => {
 *   if (!on) return undefined;
 *   return (ctx, next) => {
 *     console.log(`audit ${route.method} ${route.path} from ${ctx.ip}`);
 *     return next();
 *   };
 * };
 * ```
 */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
  readonly meta: RouteMeta | undefined;
  /**
   * Every plugin route option set on the route, by name, with its value: a factory can read its
   * siblings (an `auth` check that also applies the route's `permissions`).
   */
  readonly options: Readonly<Record<string, unknown>>;
}
