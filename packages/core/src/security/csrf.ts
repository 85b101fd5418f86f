import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProductionDefault } from '../app-options.ts';
import { parseBody } from '../body.ts';
import type { Context, RequestContext } from '../context.ts';
import { FrameworkError, HttpError } from '../errors.ts';
import type { RequestGuard } from '../internal/guard.ts';
import { hmacKey } from '../internal/hmac-key.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import { isSameOrigin, type PathExclusions, parseExclusions, pathExcluded } from './csrf-match.ts';

/**
 * Options for the CSRF protection every app has: `createApp({ csrf: { ... } })` or
 * `app.csrf({ ... })`. Turn it off with `createApp({ csrf: false })`.
 *
 * @example
 * ```ts
 * const app = createApp({
 *   cookies: { secret: process.env.COOKIE_SECRET },
 *   csrf: { exclude: ['/webhook/*'], sessionId: (ctx) => ctx.cookies.get('sid', { signed: true }) },
 * });
 * ```
 */
export interface CsrfOptions {
  /** Kept for the spec's form; protection is always automatic (turn it off with `csrf: false`). */
  auto?: true;
  /**
   * The token cookie. `name` defaults to `__Host-csrf` on HTTPS and `csrf` otherwise (the `__Host-`
   * prefix requires `Secure`); `sameSite` to `'strict'`; `secure` to whether the request is HTTPS.
   */
  cookie?: { name?: string; sameSite?: 'strict' | 'lax' | 'none'; secure?: boolean };
  /** The request header that carries the token. Default `x-csrf-token`. */
  headerField?: string;
  /** The field of a urlencoded or JSON body that carries the token when the header is absent. Default `_csrf`. */
  tokenField?: string;
  /** Methods never checked. Default `['GET', 'HEAD', 'OPTIONS']`. */
  excludeMethods?: readonly string[];
  /** Paths never checked: exact (`/login`) or a prefix ending in `/*` (`/webhook/*`). */
  exclude?: readonly string[];
  /**
   * Origins other than the request's own that may send cookie-authenticated unsafe requests (with
   * the token), e.g. your front end on another subdomain: `['https://app.example.com']`.
   */
  trustedOrigins?: readonly string[];
  /** The current session id; a token is then valid only for that session. Auth plugins provide it. */
  sessionId?: (ctx: Context) => string | undefined;
}

interface CsrfConfig {
  readonly cookieName: string | undefined;
  readonly sameSite: 'strict' | 'lax' | 'none';
  readonly secure: boolean | undefined;
  readonly header: string;
  readonly field: string;
  readonly methods: ReadonlySet<string>;
  readonly exclude: PathExclusions;
  readonly trusted: ReadonlySet<string>;
  readonly sessionId: ((ctx: Context) => string | undefined) | undefined;
}

/**
 * What the CSRF guard uses of the app: its cookie keys, the production defaults it may add to, and
 * `invalidate()` so routes recompile when the protection is turned on or reconfigured.
 */
export interface CsrfHost {
  readonly runtime: { readonly cookieKeys: readonly Key[] };
  readonly productionDefaults: ProductionDefault[];
  readonly server: unknown;
  invalidate(): void;
}

type Key = string | Buffer;
type Failure = 'cross-site' | 'origin' | 'missing-cookie' | 'missing-token' | 'invalid-token';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22,128}\.[A-Za-z0-9_-]{43}$/;
const RANDOM_BYTES = 18;
// Used when the app has no cookie secret: tokens then die with the process (a production default, see install()).
const PROCESS_KEY = randomBytes(32);

function invalid(message: string): never {
  throw new FrameworkError('FW_ERR_CSRF_OPTIONS', message);
}

const CSRF_OPTIONS: KnownOptions<CsrfOptions> = {
  auto: true,
  cookie: true,
  headerField: true,
  tokenField: true,
  excludeMethods: true,
  exclude: true,
  trustedOrigins: true,
  sessionId: true,
};

function compile(options: CsrfOptions, where: string): CsrfConfig {
  if (typeof options !== 'object' || options === null) {
    invalid('csrf options must be an object, e.g. { exclude: ["/webhook/*"] }, or false to turn CSRF protection off.');
  }
  checkOptions(where, options, CSRF_OPTIONS);
  checkOptions(`${where} cookie`, options.cookie, { name: true, sameSite: true, secure: true });
  const cookie = options.cookie ?? {};
  const sameSite = cookie.sameSite ?? 'strict';
  if (sameSite !== 'strict' && sameSite !== 'lax' && sameSite !== 'none') {
    invalid(`csrf cookie.sameSite must be 'strict', 'lax' or 'none', got ${JSON.stringify(sameSite)}.`);
  }
  if (cookie.name?.startsWith('__Host-') && cookie.secure === false) {
    invalid(`csrf cookie "${cookie.name}": the __Host- prefix requires secure: true; drop the prefix or the option.`);
  }
  const header = (options.headerField ?? 'x-csrf-token').toLowerCase();
  if (!HEADER_NAME.test(header))
    invalid(`csrf headerField ${JSON.stringify(options.headerField)} is not a header name.`);
  const field = options.tokenField ?? '_csrf';
  if (typeof field !== 'string' || field === '') invalid('csrf tokenField must be a non-empty string such as "_csrf".');
  const methods = new Set((options.excludeMethods ?? ['GET', 'HEAD', 'OPTIONS']).map((m) => String(m).toUpperCase()));
  const trusted = new Set<string>();
  for (const origin of options.trustedOrigins ?? []) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {}
    if (parsed === undefined || parsed === 'null' || parsed !== origin) {
      invalid(
        `csrf trustedOrigins entry ${JSON.stringify(origin)} is not an origin; write it as scheme://host[:port]` +
          `${parsed && parsed !== 'null' ? `, e.g. ${JSON.stringify(parsed)}` : ''}.`,
      );
    }
    trusted.add(origin);
  }
  if (options.sessionId !== undefined && typeof options.sessionId !== 'function') {
    invalid('csrf sessionId must be a function (ctx) => string | undefined.');
  }
  return {
    cookieName: cookie.name,
    sameSite,
    secure: cookie.secure,
    header,
    field,
    methods,
    exclude: parseExclusions(options.exclude ?? []),
    trusted,
    sessionId: options.sessionId,
  };
}

function keysOf(host: CsrfHost): readonly Key[] {
  const keys = host.runtime.cookieKeys;
  return keys.length > 0 ? keys : [PROCESS_KEY];
}

function lengthPrefixed(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** HMAC-SHA256(key, len(sessionId) ‖ sessionId ‖ len(rand) ‖ rand), base64url. */
function mac(key: Key, sessionId: string, rand: string): string {
  return createHmac('sha256', hmacKey(key))
    .update(lengthPrefixed(sessionId))
    .update(lengthPrefixed(rand))
    .digest('base64url');
}

function issueToken(keys: readonly Key[], sessionId: string): string {
  const rand = randomBytes(RANDOM_BYTES).toString('base64url');
  return `${rand}.${mac(keys[0]!, sessionId, rand)}`;
}

function verifyToken(token: string, keys: readonly Key[], sessionId: string): boolean {
  if (token.length > 200 || !TOKEN_SHAPE.test(token)) return false;
  const dot = token.indexOf('.');
  const rand = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  for (const key of keys) {
    // Both sides are 43 base64url characters (the shape check), as timingSafeEqual requires.
    if (timingSafeEqual(Buffer.from(mac(key, sessionId, rand)), given)) return true;
  }
  return false;
}

function equalTokens(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Lengths are not secret (every valid token has the same shape); the bytes are compared in constant time.
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieFor(config: CsrfConfig, ctx: RequestContext): { name: string; secure: boolean } {
  const secure = config.secure ?? ctx.request.secure;
  return { name: config.cookieName ?? (secure ? '__Host-csrf' : 'csrf'), secure };
}

type SessionIdOf = ((ctx: Context) => string | undefined) | undefined;

function sessionOf(sessionId: SessionIdOf, ctx: RequestContext): string {
  if (sessionId === undefined) return '';
  const id = sessionId(ctx as unknown as Context);
  return typeof id === 'string' ? id : '';
}

function bodyToken(ctx: RequestContext, field: string): string | undefined {
  const raw = ctx.rawBody;
  if (raw === undefined || raw.length === 0) return undefined;
  let body: unknown;
  try {
    body = parseBody(raw, ctx.contentType(), ['json', 'form']);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, field)) return undefined;
  const value: unknown = Reflect.get(body, field);
  return typeof value === 'string' ? value : undefined;
}

/** The token field of a multipart body's text fields (those sent before the first file). */
function fieldToken(fields: Readonly<Record<string, string | string[]>>, field: string): string | undefined {
  const value = Object.hasOwn(fields, field) ? fields[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function failureOf(
  ctx: RequestContext,
  config: CsrfConfig,
  sessionId: SessionIdOf,
  keys: readonly Key[],
  fields: Readonly<Record<string, string | string[]>> | undefined,
): Failure | undefined {
  const origin = ctx.singleHeader('origin');
  const trusted = origin !== undefined && config.trusted.has(origin);
  if (!trusted) {
    if (ctx.singleHeader('sec-fetch-site') === 'cross-site') return 'cross-site';
    if (origin !== undefined && !isSameOrigin(origin, ctx.singleHeader('host'))) return 'origin';
  }
  const cookieToken = ctx.cookies.get(cookieFor(config, ctx).name);
  if (cookieToken === undefined || cookieToken === '') return 'missing-cookie';
  const sent =
    ctx.singleHeader(config.header) ??
    (fields === undefined ? bodyToken(ctx, config.field) : fieldToken(fields, config.field));
  if (sent === undefined || sent === '') return 'missing-token';
  if (!equalTokens(sent, cookieToken)) return 'invalid-token';
  return verifyToken(cookieToken, keys, sessionOf(sessionId, ctx)) ? undefined : 'invalid-token';
}

function refuse(failure: Failure, config: CsrfConfig): HttpError {
  const send =
    `send the token from ctx.csrfToken in the ${config.header} header (or the ${config.field} field of a urlencoded ` +
    `or JSON body, or of a multipart form before its files)`;
  const messages: Record<Failure, string> = {
    'cross-site': 'Refused a cross-site request (Sec-Fetch-Site: cross-site) that carries cookies.',
    origin: `Refused a request whose Origin is not this site. Send it from this site's pages, or list the origin in csrf trustedOrigins.`,
    'missing-cookie': `The CSRF cookie is missing: load a page that reads ctx.csrfToken first (it sets the cookie), then ${send}.`,
    'missing-token': `The CSRF token is missing: ${send}.`,
    'invalid-token': `The CSRF token does not match this session's cookie: read ctx.csrfToken again and ${send}.`,
  };
  return new HttpError(403, messages[failure], { code: 'FW_ERR_CSRF', details: { reason: failure } });
}

/**
 * CSRF protection of one app: the request guard core runs on unsafe requests, holding the app's
 * CSRF configuration, plus the `ctx.csrfToken` getter it defines on the app's context class.
 * `createApp()` creates it and adds it to the app's guards; `app.csrf()` calls `configure`.
 *
 * @example
 * ```ts
 * const csrf = new CsrfGuard(core, core.Ctx, options.csrf);
 * core.guards.push(csrf);
 * csrf.configure({ exclude: ['/webhook/*'] }, 'app.csrf()');
 * ```
 */
export class CsrfGuard implements RequestGuard {
  /** The compiled options; `undefined` while the protection is off (`createApp({ csrf: false })`). */
  private config: CsrfConfig | undefined;
  private installed = false;
  private readonly host: CsrfHost;
  /** The session id a plugin bound tokens to (`csrfSession` in its exports), and which plugin. */
  private bound: { sessionId: (ctx: Context) => string | undefined; plugin: string } | undefined;

  constructor(host: CsrfHost, Ctx: typeof RequestContext, option: boolean | CsrfOptions | undefined) {
    this.host = host;
    defineTokenGetter(Ctx, this);
    if (option !== false) {
      this.configure(option === true || option === undefined ? {} : option, 'createApp({ csrf })');
    }
  }

  /** Chosen per route when routes compile (`configure` invalidates them): a GET route never runs it. */
  applies(method: string): boolean {
    return this.config !== undefined && !this.config.methods.has(method);
  }

  check(ctx: RequestContext): void {
    this.verify(ctx, undefined);
  }

  /**
   * An upload route's multipart body is streamed, not buffered: the token field is read from the
   * text fields sent before the first file, and the check runs before any file is stored.
   */
  checkFields(ctx: RequestContext, fields: Readonly<Record<string, string | string[]>>): void {
    this.verify(ctx, fields);
  }

  /**
   * (Re)configures the protection before the app starts, turning it on if it was off. Throws
   * `FW_ERR_CSRF_OPTIONS` once the app has started or for invalid options.
   */
  configure(options: CsrfOptions, where: string): void {
    if (this.host.server !== undefined) {
      throw new FrameworkError(
        'FW_ERR_CSRF_OPTIONS',
        'app.csrf() must be called before app.start(); configure CSRF protection while setting the app up.',
      );
    }
    this.config = compile(options, where);
    if (this.installed) return;
    this.installed = true;
    // Without a cookie secret, tokens are signed with a per-process key: a development default.
    if (this.host.runtime.cookieKeys.length === 0) {
      this.host.productionDefaults.push({
        what: 'CSRF tokens are signed with a random per-process key because no cookie secret is set, so they do not survive a restart or work across instances',
        fix: 'Set COOKIE_SECRET (32+ characters) or createApp({ cookies: { secret } })',
      });
    }
    this.host.invalidate();
  }

  /**
   * Binds tokens to the session a plugin keeps (`csrfSession` in what its setup returns): a token
   * minted for one session (or none) is refused in another. One binding per app; `csrf.sessionId`
   * in the options takes precedence over a plugin's.
   */
  bindSession(sessionId: (ctx: Context) => string | undefined, plugin: string): void {
    if (this.bound !== undefined) {
      throw new FrameworkError(
        'FW_ERR_DECORATION_EXISTS',
        `Plugin "${plugin}" binds CSRF tokens to its sessions, which plugin "${this.bound.plugin}" already does. Register one session plugin.`,
      );
    }
    this.bound = { sessionId, plugin };
  }

  /** The request's CSRF token (the cookie's when it verifies, else a new one set as the cookie). */
  token(ctx: RequestContext): string {
    const config = this.config;
    if (config === undefined) {
      throw new FrameworkError(
        'FW_ERR_CSRF_OPTIONS',
        'ctx.csrfToken needs CSRF protection, which is off for this app; remove csrf: false from createApp() or call app.csrf().',
      );
    }
    const keys = keysOf(this.host);
    const sessionId = sessionOf(config.sessionId ?? this.bound?.sessionId, ctx);
    const { name, secure } = cookieFor(config, ctx);
    const existing = ctx.cookies.get(name);
    let token = existing !== undefined && verifyToken(existing, keys, sessionId) ? existing : undefined;
    if (token === undefined) {
      token = issueToken(keys, sessionId);
      ctx.cookies.set(name, token, { path: '/', sameSite: config.sameSite, secure, httpOnly: true });
    }
    return token;
  }

  private verify(ctx: RequestContext, fields: Readonly<Record<string, string | string[]>> | undefined): void {
    const config = this.config;
    // A request with no Cookie header, or with an Authorization header (which a cross-site form
    // cannot add), cannot ride on the browser's ambient credentials.
    if (config === undefined || config.methods.has(ctx.method)) return;
    const headers = ctx.request.headers;
    if (headers.cookie === undefined || headers.authorization !== undefined) return;
    if (pathExcluded(config.exclude, ctx.path)) return;
    const failure = failureOf(ctx, config, config.sessionId ?? this.bound?.sessionId, keysOf(this.host), fields);
    if (failure !== undefined) throw refuse(failure, config);
  }
}

/** `ctx.csrfToken`: the guard's token for the request, computed once per request. */
function defineTokenGetter(Ctx: typeof RequestContext, guard: CsrfGuard): void {
  Object.defineProperty(Ctx.prototype, 'csrfToken', {
    get(this: RequestContext): string {
      const cache = this.decorationCache();
      const cached = cache.csrfToken;
      if (typeof cached === 'string') return cached;
      const token = guard.token(this);
      cache.csrfToken = token;
      return token;
    },
  });
}
