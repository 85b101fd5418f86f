import { parseBody, parseParams } from './body.ts';
import type { ContextRuntime, Params, RedirectStatus, ResponseTable, StreamOptions } from './context-types.ts';
import {
  type CookieOptions,
  type Cookies,
  parseCookieHeader,
  serializeCookie,
  signCookieValue,
  unsignCookieValue,
} from './cookies.ts';
import { FrameworkError, HttpError, isFrameworkError } from './errors.ts';
import { HTML_TYPE, JSON_TYPE, Reply, type ReplyHeaders, type StreamSource, TEXT_TYPE } from './reply.ts';
import { checkRedirectTarget, type RedirectOptions } from './security/hardening.ts';
import { createNonce } from './security/headers.ts';
import { clientAddress, forwardedValue } from './security/trust-proxy.ts';
import type { ServerRequest } from './server/types.ts';

export type {
  Context,
  ContextRuntime,
  HttpMethod,
  Params,
  Query,
  RedirectStatus,
  RequestHeaders,
  ResponseSchemas,
  ResponseSpec,
  ResponseTable,
  StreamOptions,
} from './context-types.ts';

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
          if (!isFrameworkError(error)) throw error;
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
