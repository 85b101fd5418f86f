import { parseBody, parseParams } from './body.ts';
import {
  type CookieOptions,
  type Cookies,
  parseCookieHeader,
  serializeCookie,
  signCookieValue,
  unsignCookieValue,
} from './cookies.ts';
import { FrameworkError, HttpError } from './errors.ts';
import type { Serializer } from './internal/serializer.ts';
import type { Logger } from './logger.ts';
import { HTML_TYPE, JSON_TYPE, Reply, type ReplyHeaders, type StreamSource, TEXT_TYPE } from './reply.ts';
import { checkRedirectTarget, type QueryLimits, type RedirectOptions } from './security/hardening.ts';
import { createNonce } from './security/headers.ts';
import { clientAddress, forwardedValue, type TrustFunction } from './security/trust-proxy.ts';
import type { ServerRequest } from './server/types.ts';
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

const EMPTY = new Uint8Array(0);
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they would split headers.
const CONTROL = /[\u0000-\u001f\u007f]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkHeaderValue(name: string, value: string): void {
  if (CONTROL.test(value.replace(/\t/g, ''))) {
    throw new HttpError(
      400,
      `Refused to send header ${name}: its value contains CR, LF or another control character.`,
      {
        code: 'FW_ERR_INVALID_HEADER',
      },
    );
  }
}

/** The runtime context. Request data is parsed lazily, on first read. */
export class RequestContext {
  readonly method: string;
  readonly path: string;
  params: Params;
  readonly request: ServerRequest;
  readonly runtime: ContextRuntime;
  queryString: string;
  parsedQuery: unknown;
  parsedHeaders: unknown;
  cookieJar: CookieJar | undefined;
  parsedUrl: URL | undefined;
  rawBody: Uint8Array | undefined;
  parsedBody: unknown;
  bodyParsed: boolean;
  statusCode: number;
  responseHeaders: ReplyHeaders | undefined;
  abort: AbortController | undefined;
  decorations: Record<string, unknown> | undefined;
  responses: ResponseTable | undefined;
  cspNonce: string | undefined;
  /** A getter installed on each app's context class by `security/csrf.ts`. */
  declare readonly csrfToken: string;

  constructor(
    runtime: ContextRuntime,
    request: ServerRequest,
    method: string,
    path: string,
    queryString: string,
    params: Params,
  ) {
    this.runtime = runtime;
    this.request = request;
    this.method = method;
    this.path = path;
    this.queryString = queryString;
    this.params = params;
    this.parsedQuery = undefined;
    this.parsedHeaders = undefined;
    this.cookieJar = undefined;
    this.parsedUrl = undefined;
    this.rawBody = undefined;
    this.parsedBody = undefined;
    this.bodyParsed = false;
    this.statusCode = 200;
    this.responseHeaders = undefined;
    this.abort = undefined;
    this.decorations = undefined;
    this.responses = undefined;
    this.cspNonce = undefined;
  }

  /** Validates a response body against the route's schema for `status`, dropping undeclared fields. */
  checkResponse(value: unknown, status: number): unknown {
    const schema = this.responses?.byStatus[status]?.schema;
    if (schema === undefined) return value;
    const result = schema['~standard'].validate(value);
    if (result instanceof Promise) {
      throw new FrameworkError(
        'FW_ERR_RESPONSE_VALIDATION',
        `The response schema for ${status} on ${this.method} ${this.path} is asynchronous; response schemas must validate synchronously.`,
      );
    }
    if (result.issues) {
      const issue = result.issues[0];
      const where = (issue?.path ?? [])
        .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
        .join('.');
      throw new FrameworkError(
        'FW_ERR_RESPONSE_VALIDATION',
        `${this.method} ${this.path} returned a ${status} body that its response schema rejects` +
          `${where === '' ? '' : ` at ${where}`}: ${issue?.message ?? 'invalid'}. Fix the handler or the schema.`,
      );
    }
    return result.value;
  }

  get query(): unknown {
    if (this.parsedQuery === undefined)
      this.parsedQuery = parseParams(this.queryString, 'query', this.runtime.queryLimits);
    return this.parsedQuery;
  }

  get headers(): unknown {
    if (this.parsedHeaders === undefined) {
      const copy: Record<string, string | undefined> = Object.create(null);
      const source = this.request.headers;
      for (const name in source) {
        // node:http drops a `__proto__` header (its headers object has a prototype); other drivers match it.
        if (name === '__proto__') continue;
        const value = source[name];
        copy[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      this.parsedHeaders = copy;
    }
    return this.parsedHeaders;
  }

  get body(): unknown {
    if (!this.bodyParsed) {
      const type = this.contentType();
      // A Content-Type with no body still parses (as empty), so `application/json` with no body is a 400.
      this.parsedBody =
        this.rawBody === undefined && type === undefined
          ? undefined
          : parseBody(this.rawBody ?? EMPTY, type, undefined, this.runtime.queryLimits);
      this.bodyParsed = true;
    }
    return this.parsedBody;
  }

  get cookies(): Cookies {
    if (this.cookieJar === undefined) this.cookieJar = new CookieJar(this);
    return this.cookieJar;
  }

  get url(): URL {
    if (this.parsedUrl === undefined) {
      const host = this.host;
      const base = `${this.protocol}://${host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : 'localhost'}`;
      this.parsedUrl = new URL(this.path + (this.queryString === '' ? '' : `?${this.queryString}`), base);
    }
    return this.parsedUrl;
  }

  get ip(): string {
    const trust = this.runtime.trust;
    if (trust === undefined) return this.request.ip;
    return clientAddress(this.request.ip, this.singleHeader('x-forwarded-for'), trust);
  }

  get protocol(): 'http' | 'https' {
    if (this.request.secure) return 'https';
    const trust = this.runtime.trust;
    if (trust === undefined) return 'http';
    const forwarded = forwardedValue(this.request.ip, this.singleHeader('x-forwarded-proto'), trust);
    return forwarded?.toLowerCase() === 'https' ? 'https' : 'http';
  }

  get host(): string | undefined {
    const trust = this.runtime.trust;
    const forwarded =
      trust === undefined ? undefined : forwardedValue(this.request.ip, this.singleHeader('x-forwarded-host'), trust);
    return forwarded ?? this.singleHeader('host');
  }

  get nonce(): string {
    this.cspNonce ??= createNonce();
    return this.cspNonce;
  }

  get signal(): AbortSignal {
    if (this.abort === undefined) {
      const controller = new AbortController();
      this.abort = controller;
      this.request.onAbort(() => controller.abort(new Error('The client closed the connection.')));
    }
    return this.abort.signal;
  }

  /** The headers set through `ctx.header()` and cookies, created on first use. */
  outgoingHeaders(): ReplyHeaders {
    if (this.responseHeaders === undefined) this.responseHeaders = {};
    return this.responseHeaders;
  }

  /** The per-request cache of plugin context decorations. */
  decorationCache(): Record<string, unknown> {
    if (this.decorations === undefined) this.decorations = Object.create(null) as Record<string, unknown>;
    return this.decorations;
  }

  singleHeader(name: string): string | undefined {
    const value = this.request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  contentType(): string | undefined {
    return this.singleHeader('content-type');
  }

  status(code: number): this {
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      throw new RangeError(`ctx.status() takes an integer from 100 to 599, got ${code}.`);
    }
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string | readonly string[]): this {
    if (!TOKEN.test(name)) {
      throw new FrameworkError('FW_ERR_INVALID_HEADER', `${JSON.stringify(name)} is not a valid header name.`);
    }
    const lower = name.toLowerCase();
    const headers = this.outgoingHeaders();
    if (typeof value === 'string') {
      checkHeaderValue(name, value);
      if (lower === 'set-cookie') appendCookie(headers, value);
      else headers[lower] = value;
    } else {
      for (const item of value) checkHeaderValue(name, item);
      headers[lower] = [...value];
    }
    return this;
  }

  json(data: unknown, status?: number, headers?: Record<string, string>): Reply {
    return this.reply(status, JSON_TYPE, this.serialize(data, status ?? this.statusCode), headers);
  }

  /**
   * JSON for a response body. With a response schema for `status`: its compiled serializer (only
   * declared fields, JSON types checked), or in development a full validation by the schema.
   */
  serialize(data: unknown, status: number): string {
    const spec = this.responses?.byStatus[status];
    if (spec !== undefined) {
      if (spec.serialize === undefined || this.runtime.validateResponses) {
        data = this.checkResponse(data, status);
      } else {
        try {
          return spec.serialize(data);
        } catch (error) {
          if (!(error instanceof FrameworkError)) throw error;
          throw new FrameworkError(
            'FW_ERR_RESPONSE_VALIDATION',
            `${this.method} ${this.path} returned a ${status} body that its response schema rejects: ${error.message}. Fix the handler or the schema.`,
          );
        }
      }
    }
    const body = JSON.stringify(data);
    return body === undefined ? 'null' : body;
  }

  text(text: string, status?: number, headers?: Record<string, string>): Reply {
    return this.reply(status, TEXT_TYPE, text, headers);
  }

  html(html: string, status?: number, headers?: Record<string, string>): Reply {
    return this.reply(status, HTML_TYPE, html, headers);
  }

  stream(source: StreamSource, options: StreamOptions = {}): Reply {
    return this.reply(options.status, options.type ?? 'application/octet-stream', source, options.headers);
  }

  redirect(url: string, status?: RedirectStatus | RedirectOptions, options?: RedirectOptions): Reply {
    const code = typeof status === 'number' ? status : 302;
    checkRedirectTarget(
      url,
      () => this.url.host,
      this.runtime.redirectHosts,
      typeof status === 'object' ? status : options,
    );
    return new Reply(code, { location: url }, null);
  }

  private reply(
    status: number | undefined,
    type: string,
    body: Reply['body'],
    headers: Record<string, string> | undefined,
  ): Reply {
    const out: ReplyHeaders = { 'content-type': type };
    if (headers) {
      for (const name in headers) {
        const value = headers[name]!;
        checkHeaderValue(name, value);
        out[name.toLowerCase()] = value;
      }
    }
    return new Reply(status ?? this.statusCode, out, body);
  }
}

function appendCookie(headers: ReplyHeaders, cookie: string): void {
  const existing = headers['set-cookie'];
  if (existing === undefined) headers['set-cookie'] = [cookie];
  else if (Array.isArray(existing)) existing.push(cookie);
  else headers['set-cookie'] = [existing, cookie];
}

class CookieJar implements Cookies {
  private readonly ctx: RequestContext;
  private parsed: Record<string, string> | undefined;

  constructor(ctx: RequestContext) {
    this.ctx = ctx;
    this.parsed = undefined;
  }

  all(): Readonly<Record<string, string>> {
    if (this.parsed === undefined) this.parsed = parseCookieHeader(this.ctx.singleHeader('cookie'));
    return this.parsed;
  }

  get(name: string, options?: { signed?: boolean }): string | undefined {
    const value = this.all()[name];
    if (value === undefined || !options?.signed) return value;
    return unsignCookieValue(value, this.ctx.runtime.cookieKeys);
  }

  set(name: string, value: string, options: CookieOptions = {}): void {
    const stored = options.signed ? signCookieValue(value, this.ctx.runtime.cookieKeys) : value;
    const secure = options.secure ?? this.ctx.protocol === 'https';
    appendCookie(this.ctx.outgoingHeaders(), serializeCookie(name, stored, { ...options, secure }));
  }

  delete(name: string, options: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite'> = {}): void {
    this.set(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }
}
