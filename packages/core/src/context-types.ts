import type { Cookies } from './cookies.ts';
import type { Serializer } from './internal/serializer.ts';
import type { Logger } from './logger.ts';
import type { Reply, StreamSource } from './reply.ts';
import type { QueryLimits, RedirectOptions } from './security/hardening.ts';
import type { TrustFunction } from './security/trust-proxy.ts';
import type { InferInput, StandardSchemaV1 } from './standard-schema.ts';

/**
 * Request headers: lower-case names, repeated headers joined as Node joins them.
 *
 * @example
 * ```ts
 * app.get('/whoami', (ctx) => ({ agent: ctx.headers['user-agent'] ?? 'unknown' }));
 * ```
 */
export type RequestHeaders = Record<string, string | undefined>;
/**
 * A parsed query string: a repeated key is an array.
 *
 * @example
 * ```ts
 * // GET /search?q=cats&tag=a&tag=b
 * app.get('/search', (ctx) => ({ q: ctx.query.q, tags: ctx.query.tag })); // 'cats', ['a', 'b']
 * ```
 */
export type Query = Record<string, string | string[] | undefined>;
/**
 * Route parameters when the path gives no names, e.g. a path only known at run time.
 *
 * @example
 * ```ts
 * function echoParams(app: App, path: string) {
 *   app.get(path, (ctx) => ctx.params); // ctx.params: Params
 * }
 * ```
 */
export type Params = Record<string, string>;
/** Response schemas by status code. */
export type ResponseSchemas = { [status: number]: unknown };

/**
 * HTTP methods the router knows by name.
 *
 * @example
 * ```ts
 * const methods: HttpMethod[] = ['GET', 'POST'];
 * app.route({ method: methods, path: '/echo', handler: (ctx) => ({ method: ctx.method }) });
 * ```
 */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * Options for `ctx.stream()`.
 *
 * @example
 * ```ts
 * app.get('/export.csv', (ctx) =>
 *   ctx.stream(csvRows(), { type: 'text/csv; charset=utf-8', headers: { 'content-disposition': 'attachment' } }),
 * );
 * ```
 */
export interface StreamOptions {
  /** Content-Type; defaults to `application/octet-stream`. */
  type?: string;
  status?: number;
  headers?: Record<string, string>;
}

type StatusClass<S extends number> = `${S}` extends `${infer C extends 1 | 2 | 3 | 4 | 5}${string}` ? `${C}xx` : never;
/** The schema of status `S` in response schemas `R`: exact, else its class (`2xx`), else `default`. */
type SchemaAt<R, S extends number> = number extends S
  ? R[keyof R]
  : S extends keyof R
    ? R[S]
    : StatusClass<S> extends keyof R
      ? R[StatusClass<S>]
      : 'default' extends keyof R
        ? R['default']
        : undefined;

type JsonHelper<R> = [keyof R] extends [never]
  ? (data: unknown, status?: number, headers?: Record<string, string>) => Reply
  : [Extract<keyof R, string>] extends [never]
    ? <S extends keyof R & number = 200 & keyof R>(
        data: InferInput<R[S]>,
        status?: S,
        headers?: Record<string, string>,
      ) => Reply
    : <S extends number = 200>(data: InferInput<SchemaAt<R, S>>, status?: S, headers?: Record<string, string>) => Reply;

/**
 * Everything a handler needs: the request (`params`, `query`, `body`, `headers`, `cookies`,
 * `method`, `path`, `url`, `ip`) and helpers to build the response. Route schemas, middleware
 * extensions and plugin decorations add to its type.
 *
 * @example
 * ```ts
 * app.get('/hello/:name', (ctx) => {
 *   ctx.header('cache-control', 'no-store');
 *   return ctx.text(`Hello ${ctx.params.name}, you asked for ${ctx.url.pathname}`);
 * });
 * ```
 */
export interface Context<
  TParams = Params,
  TQuery = Query,
  TBody = unknown,
  THeaders = RequestHeaders,
  TResponses = {},
> {
  /** Route parameters, percent-decoded (or as the params schema parsed them). */
  readonly params: TParams;
  /** The query string, parsed on first read (or as the query schema parsed it). */
  readonly query: TQuery;
  /** The request body, parsed by its Content-Type on first read (or as the body schema parsed it). */
  readonly body: TBody;
  /** The raw body bytes, when the request had a body. */
  readonly rawBody: Uint8Array | undefined;
  /** Request headers with lower-case names (or as the headers schema parsed them). */
  readonly headers: THeaders;
  /** Request cookies, and the cookies to set on the response. */
  readonly cookies: Cookies;
  /** The request method, upper-case. */
  readonly method: string;
  /** The request path, without the query string, as sent (not decoded). */
  readonly path: string;
  /** The full request URL, built on first read from the `Host` header. */
  readonly url: URL;
  /**
   * The client's IP address: the socket's peer, or with `trustProxy` the first untrusted hop of
   * `X-Forwarded-For` (a spoofed header from an untrusted client changes nothing).
   */
  readonly ip: string;
  /** `https` when the connection is TLS, or a trusted proxy says so in `X-Forwarded-Proto`; else `http`. */
  readonly protocol: 'http' | 'https';
  /** The `Host` header, or `X-Forwarded-Host` from a trusted proxy. */
  readonly host: string | undefined;
  /**
   * A per-request Content-Security-Policy nonce (128 random bits, base64), the same one the CSP
   * header of this response carries when a directive lists `'nonce'` (see `app.security()`).
   */
  readonly nonce: string;
  /** Aborted when the client goes away before the response is sent. */
  readonly signal: AbortSignal;
  /**
   * This session's CSRF token, for a `<meta>` tag or a hidden `_csrf` field; reading it sets the
   * CSRF cookie when absent. Throws when the app turned CSRF protection off.
   */
  readonly csrfToken: string;
  /** Sets the status for a value the handler returns. */
  status(code: number): this;
  /** Sets a response header; throws on a name or value that could split the header. */
  header(name: string, value: string | readonly string[]): this;
  /** A JSON response. With response schemas, `data` must match the schema of `status`. */
  json: JsonHelper<TResponses>;
  /** A `text/plain` response. */
  text(text: string, status?: number, headers?: Record<string, string>): Reply;
  /** A `text/html` response. The string is sent as it is: escape user data yourself. */
  html(html: string, status?: number, headers?: Record<string, string>): Reply;
  /** A streamed response from an async generator, an iterable, a Node stream or a Web stream, with backpressure. */
  stream(source: StreamSource, options?: StreamOptions): Reply;
  /**
   * A redirect (302 by default). Throws a 400 for a target with control characters, and for one
   * that leaves the site (`//evil.com`, `/\evil.com`, `https:evil.com`, `javascript:`, another host)
   * unless `{ allowExternal: true }` is passed or the host is in `createApp({ redirect: { allowedHosts } })`.
   */
  redirect(url: string, status?: RedirectStatus, options?: RedirectOptions): Reply;
  redirect(url: string, options: RedirectOptions): Reply;
}

/**
 * The statuses `ctx.redirect()` sends.
 *
 * @example
 * ```ts
 * const status: RedirectStatus = 303; // after a POST
 * app.post('/orders', (ctx) => ctx.redirect('/orders/1', status));
 * ```
 */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/** What the context needs from the app, shared by all requests. */
export interface ContextRuntime {
  readonly cookieKeys: readonly string[];
  /** Run response schemas in full (development) instead of their compiled serializers. */
  readonly validateResponses: boolean;
  /** Which proxies to believe about the client; undefined when none. */
  readonly trust: TrustFunction | undefined;
  /** Limits for the query string and urlencoded bodies. */
  readonly queryLimits: Readonly<QueryLimits>;
  /** Lower-cased hosts `redirect()` may point to besides the request's own. */
  readonly redirectHosts: readonly string[];
  /** The app's logger, for plugins that log per request. */
  readonly logger: Logger;
}

/** A route's response schema for one status, with its compiled serializer when it has one. */
export interface ResponseSpec {
  readonly schema: StandardSchemaV1;
  readonly serialize: Serializer | undefined;
}

/**
 * A route's response schemas, compiled once: `byStatus[status]` is the schema for that status (the
 * exact one, else its class such as `2xx`, else `default`), or `undefined` when none applies.
 */
export interface ResponseTable {
  readonly byStatus: ReadonlyArray<ResponseSpec | undefined>;
  /** `METHOD /path` of the route, for errors. */
  readonly route: string;
  /** The keys `schema.response` declares, for errors. */
  readonly keys: readonly string[];
}
