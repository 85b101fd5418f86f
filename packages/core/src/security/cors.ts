import { type Context, RequestContext } from '../context.ts';
import { FrameworkError, HttpError } from '../errors.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import { definePlugin, type PluginInstance } from '../plugin.ts';
import { Reply } from '../reply.ts';

/**
 * Which origins may read responses: one origin, a pattern, a list of those, or a function (which
 * may be async). `'*'` allows any origin but only without `credentials`; `'null'` must be listed
 * literally to allow `Origin: null` (sandboxed iframes, `file:` pages).
 *
 * @example
 * ```ts
 * const origin: CorsOrigin = ['https://app.example.com', /^https:\/\/[a-z0-9-]+\.example\.com$/];
 * ```
 */
export type CorsOrigin =
  | string
  | RegExp
  | readonly (string | RegExp)[]
  | ((origin: string, ctx: Context) => boolean | Promise<boolean>);

/**
 * Options for `cors()`. With none, no origin is allowed: the plugin opens nothing until told to.
 *
 * @example
 * ```ts
 * app.use(cors({ origin: 'https://app.example.com', credentials: true, exposedHeaders: ['x-request-id'], maxAge: 600 }));
 * ```
 */
export interface CorsOptions {
  /** Allowed origins. Default: none. */
  origin?: CorsOrigin;
  /** Methods a preflight allows. Default `GET, HEAD, PUT, PATCH, POST, DELETE`. */
  methods?: readonly string[];
  /** Request headers a preflight allows. Default: the ones the preflight asks for (each checked to be a header name). */
  allowedHeaders?: readonly string[];
  /** Response headers scripts may read beyond the CORS-safelisted ones. */
  exposedHeaders?: readonly string[];
  /** Let the browser send cookies and read the response (`Access-Control-Allow-Credentials: true`). */
  credentials?: boolean;
  /** How long, in seconds, a browser may cache a preflight answer. */
  maxAge?: number;
}

type Matcher = (origin: string, ctx: Context) => boolean | Promise<boolean>;

interface CorsConfig {
  /** `none`: nothing allowed; `any`: `*`; `match`: each origin is checked. */
  readonly mode: 'none' | 'any' | 'match';
  readonly matches: Matcher;
  /** `Origin: null` is allowed only when listed literally. */
  readonly allowNull: boolean;
  readonly methods: string;
  readonly allowedHeaders: string | undefined;
  readonly exposedHeaders: string | undefined;
  readonly credentials: boolean;
  readonly maxAge: string | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A browser sends a serialized origin: scheme "://" host [":" port], or "null".
const ORIGIN_SHAPE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9.:[\]-]+$/;
/** Longest `Access-Control-Request-Headers` a preflight may send; browsers send a short list of names. */
export const MAX_REQUEST_HEADERS_LENGTH = 4096;
const MAX_ORIGIN_LENGTH = 2048;
const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];
const preflights = new WeakSet<Reply>();

function invalid(message: string): never {
  throw new FrameworkError('FW_ERR_CORS_OPTIONS', message);
}

function checkOriginString(origin: string): void {
  if (origin === 'null') return;
  let normalized: string | undefined;
  try {
    normalized = new URL(origin).origin;
  } catch {}
  if (normalized === undefined || normalized === 'null' || normalized !== origin) {
    invalid(
      `cors(): ${JSON.stringify(origin)} is not an origin; write scheme://host[:port] with no path or trailing slash` +
        `${normalized && normalized !== 'null' ? `, here ${JSON.stringify(normalized)}` : ''}.`,
    );
  }
}

function compileOrigin(
  origin: CorsOrigin | undefined,
  credentials: boolean,
): Pick<CorsConfig, 'mode' | 'matches' | 'allowNull'> {
  if (origin === undefined) return { mode: 'none', matches: () => false, allowNull: false };
  if (origin === '*') {
    if (credentials) {
      invalid(
        "cors(): origin '*' cannot be combined with credentials: true (browsers refuse it, and allowing every " +
          "site to read your users' responses is unsafe). List the origins instead: " +
          "cors({ origin: ['https://app.example.com'], credentials: true }).",
      );
    }
    return { mode: 'any', matches: () => true, allowNull: true };
  }
  if (typeof origin === 'function') return { mode: 'match', matches: origin, allowNull: false };
  const items: readonly unknown[] = Array.isArray(origin) ? origin : [origin];
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const item of items) {
    if (item === '*') {
      invalid(
        "cors(): '*' cannot be one entry of a list; use origin: '*' alone (without credentials) or list origins.",
      );
    }
    if (typeof item === 'string') {
      checkOriginString(item);
      exact.add(item);
    } else if (item instanceof RegExp) {
      if (item.global || item.sticky) {
        invalid(`cors(): the pattern ${String(item)} has the g or y flag, which makes test() stateful; remove it.`);
      }
      patterns.push(item);
    } else {
      invalid('cors(): origin must be a string, a RegExp, an array of those, or a function (origin, ctx) => boolean.');
    }
  }
  return {
    mode: 'match',
    matches: (value) => exact.has(value) || patterns.some((pattern) => pattern.test(value)),
    allowNull: exact.has('null'),
  };
}

function headerList(names: readonly string[] | undefined, option: string): string | undefined {
  if (names === undefined) return undefined;
  for (const name of names) {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      invalid(`cors(): ${option} entry ${JSON.stringify(name)} is not a header name.`);
    }
  }
  return names.join(', ');
}

function compile(options: CorsOptions): CorsConfig {
  if (typeof options !== 'object' || options === null)
    invalid('cors() takes an options object, e.g. cors({ origin }).');
  const credentials = options.credentials === true;
  const methods = (options.methods ?? DEFAULT_METHODS).map((method) => {
    if (typeof method !== 'string' || !TOKEN.test(method))
      invalid(`cors(): ${JSON.stringify(method)} is not a method.`);
    return method.toUpperCase();
  });
  const maxAge = options.maxAge;
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0)) {
    invalid(`cors(): maxAge is a whole number of seconds, got ${String(maxAge)}.`);
  }
  return {
    ...compileOrigin(options.origin, credentials),
    methods: methods.join(', '),
    allowedHeaders: headerList(options.allowedHeaders, 'allowedHeaders'),
    exposedHeaders: headerList(options.exposedHeaders, 'exposedHeaders'),
    credentials,
    maxAge: maxAge === undefined ? undefined : String(maxAge),
  };
}

function header(ctx: Context, name: string): string | undefined {
  // The raw request header: a headers schema could have stripped or reshaped ctx.headers.
  if (ctx instanceof RequestContext) return ctx.singleHeader(name);
  const value: unknown = Reflect.get(ctx.headers ?? {}, name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Parses `Access-Control-Request-Headers` in one linear pass: a comma-separated list of header
 * names. Over `MAX_REQUEST_HEADERS_LENGTH` or with an entry that is not a header name is a 400.
 */
function requestedHeaders(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > MAX_REQUEST_HEADERS_LENGTH) {
    throw new HttpError(
      400,
      `Access-Control-Request-Headers is longer than ${MAX_REQUEST_HEADERS_LENGTH} characters; ask for fewer headers.`,
      { code: 'FW_ERR_CORS_PREFLIGHT' },
    );
  }
  const names: string[] = [];
  for (const part of value.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (!TOKEN.test(name)) {
      throw new HttpError(400, 'Access-Control-Request-Headers must be a comma-separated list of header names.', {
        code: 'FW_ERR_CORS_PREFLIGHT',
      });
    }
    names.push(name.toLowerCase());
  }
  return names.length === 0 ? undefined : names.join(', ');
}

function acceptable(origin: string | undefined, config: CorsConfig, ctx: Context): boolean | Promise<boolean> {
  if (origin === undefined || config.mode === 'none') return false;
  if (config.mode === 'any') return true;
  // `null` is allowed only when listed literally (the exact set); patterns and functions never see it.
  if (origin === 'null') return config.allowNull;
  if (origin.length > MAX_ORIGIN_LENGTH || !ORIGIN_SHAPE.test(origin)) return false;
  return config.matches(origin, ctx);
}

function addVary(headers: Reply['headers'], value: string): void {
  const existing = headers.vary;
  if (existing === undefined) {
    headers.vary = value;
    return;
  }
  const current = Array.isArray(existing) ? existing.join(', ') : existing;
  if (current === '*') return;
  const have = new Set(current.split(',').map((item) => item.trim().toLowerCase()));
  const added = value.split(', ').filter((item) => !have.has(item.toLowerCase()));
  if (added.length > 0) headers.vary = current === '' ? added.join(', ') : `${current}, ${added.join(', ')}`;
}

async function preflight(ctx: Context, config: CorsConfig): Promise<Reply | undefined> {
  const origin = header(ctx, 'origin');
  const method = header(ctx, 'access-control-request-method');
  if (origin === undefined || method === undefined) return undefined;
  // Checked before anything else so an oversized header costs one length comparison.
  const asked = requestedHeaders(header(ctx, 'access-control-request-headers'));
  const headers: Reply['headers'] = {};
  const reply = new Reply(204, headers, null);
  preflights.add(reply);
  if (config.mode !== 'any') headers.vary = 'Origin';
  // A disallowed origin gets 204 with no Access-Control-Allow-* headers: the browser then blocks the request.
  if (!(await acceptable(origin, config, ctx))) return reply;
  headers['access-control-allow-origin'] = config.mode === 'any' ? '*' : origin;
  if (config.credentials) headers['access-control-allow-credentials'] = 'true';
  headers['access-control-allow-methods'] = config.methods;
  const allowed = config.allowedHeaders ?? asked;
  if (config.allowedHeaders === undefined) addVary(headers, 'Access-Control-Request-Headers');
  if (allowed !== undefined) headers['access-control-allow-headers'] = allowed;
  if (config.maxAge !== undefined) headers['access-control-max-age'] = config.maxAge;
  return reply;
}

async function decorate(ctx: Context, reply: Reply, config: CorsConfig): Promise<void> {
  if (config.mode === 'none' || preflights.has(reply)) return;
  const headers = reply.headers;
  if (config.mode === 'any') {
    headers['access-control-allow-origin'] = '*';
  } else {
    // The answer depends on Origin, so caches must key on it even when this request had none.
    addVary(headers, 'Origin');
    const origin = header(ctx, 'origin');
    if (!(await acceptable(origin, config, ctx)) || origin === undefined) return;
    headers['access-control-allow-origin'] = origin;
    if (config.credentials) headers['access-control-allow-credentials'] = 'true';
  }
  if (config.exposedHeaders !== undefined) headers['access-control-expose-headers'] = config.exposedHeaders;
}

const corsPlugin = definePlugin({
  name: '@framework/core/cors',
  setup(app, config: CorsConfig) {
    app.onRequest((ctx) => (ctx.method === 'OPTIONS' ? preflight(ctx, config) : undefined));
    app.onResponse((ctx, reply) => decorate(ctx, reply, config));
  },
});

/**
 * CORS, opt-in: answers preflights (before routing, so a path with only a POST route works) and
 * adds `Access-Control-Allow-*` headers to the responses of allowed origins, error responses
 * included. Unsafe options (`'*'` with `credentials`) throw a `FrameworkError` here.
 *
 * @example
 * ```ts
 * import { cors, createApp } from '@framework/core';
 *
 * const app = createApp().use(cors({ origin: ['https://app.example.com'], credentials: true, maxAge: 600 }));
 * ```
 */
export function cors(options: CorsOptions = {}): PluginInstance {
  checkOptions('cors()', options, CORS_OPTIONS);
  return corsPlugin(compile(options));
}

const CORS_OPTIONS: KnownOptions<CorsOptions> = {
  origin: true,
  methods: true,
  allowedHeaders: true,
  exposedHeaders: true,
  credentials: true,
  maxAge: true,
};
