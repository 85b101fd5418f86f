import { createHmac, timingSafeEqual } from 'node:crypto';
import { FrameworkError } from './errors.ts';
import { hmacKey } from './internal/hmac-key.ts';

/**
 * Attributes for a cookie the app sets.
 *
 * @example
 * ```ts
 * ctx.cookies.set('session', token, { signed: true, maxAge: 60 * 60 * 24 * 7, sameSite: 'strict' });
 * ```
 */
export interface CookieOptions {
  /** Lifetime in seconds; `0` deletes the cookie. */
  maxAge?: number;
  expires?: Date;
  domain?: string;
  /** Defaults to `/`. */
  path?: string;
  /** Defaults to `true` when the request came over HTTPS. */
  secure?: boolean;
  /** Defaults to `true`: scripts cannot read the cookie. */
  httpOnly?: boolean;
  /** Defaults to `'lax'`. */
  sameSite?: 'strict' | 'lax' | 'none';
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
  /** Sign the value with the app's cookie secret so a tampered cookie reads as absent. */
  signed?: boolean;
}

/**
 * The request's cookies and the cookies the response will set. Reading parses the `Cookie`
 * header once, on first use.
 *
 * @example
 * ```ts
 * app.post('/prefs', (ctx) => {
 *   const theme = ctx.cookies.get('theme') ?? 'light';
 *   ctx.cookies.set('theme', 'dark', { maxAge: 60 * 60 * 24 * 365 });
 *   ctx.cookies.set('session', id, { signed: true });
 *   return { was: theme, session: ctx.cookies.get('session', { signed: true }) };
 * });
 * ```
 */
export interface Cookies {
  /** A cookie's value, or `undefined`. With `signed`, `undefined` also when the signature is wrong. */
  get(name: string, options?: { signed?: boolean }): string | undefined;
  /** Every cookie sent with the request, as a null-prototype object. */
  all(): Readonly<Record<string, string>>;
  /** Adds a `Set-Cookie` to the response. Throws on a name, value or attribute that could split the header. */
  set(name: string, value: string, options?: CookieOptions): void;
  /** Expires a cookie on the client. Pass the same `path` and `domain` it was set with. */
  delete(name: string, options?: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite'>): void;
}

// RFC 6265 §4.1.1: cookie-name is an RFC 7230 token; cookie-octet excludes CTLs, whitespace, DQUOTE, comma, semicolon, backslash.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const ATTRIBUTE_VALUE = /^[\x20-\x3A\x3C-\x7E]+$/;
const MAX_COOKIE_BYTES = 4096;

function invalid(message: string): never {
  throw new FrameworkError('FW_ERR_INVALID_COOKIE', message);
}

/** Parses a `Cookie` header into a null-prototype object; the first of duplicate names wins. */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  let start = 0;
  const length = header.length;
  while (start < length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const name = header.slice(start, eq).trim();
      if (name !== '' && !(name in out)) {
        let value = header.slice(eq + 1, end).trim();
        if (value.length > 1 && value.charCodeAt(0) === 34 && value.charCodeAt(value.length - 1) === 34) {
          value = value.slice(1, -1);
        }
        if (value.includes('%')) {
          try {
            value = decodeURIComponent(value);
          } catch {
            // A value that is not valid percent-encoding is kept as sent rather than failing the request.
          }
        }
        out[name] = value;
      }
    }
    start = end + 1;
  }
  return out;
}

/**
 * Builds one `Set-Cookie` header value, rejecting anything that could inject attributes or split
 * the header (CR/LF, `;`, bad names) and cookies over 4096 bytes.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!TOKEN.test(name))
    invalid(`Cookie name ${JSON.stringify(name)} is not a valid token; use letters, digits and !#$%&'*+-.^_\`|~.`);
  const encoded = COOKIE_VALUE.test(value) ? value : encodeURIComponent(value);
  let out = `${name}=${encoded}`;
  if (options.maxAge !== undefined) {
    if (!Number.isFinite(options.maxAge)) invalid(`Cookie "${name}": maxAge must be a finite number of seconds.`);
    out += `; Max-Age=${Math.floor(options.maxAge)}`;
  }
  if (options.expires !== undefined) {
    if (Number.isNaN(options.expires.getTime())) invalid(`Cookie "${name}": expires is an invalid Date.`);
    out += `; Expires=${options.expires.toUTCString()}`;
  }
  if (options.domain !== undefined) {
    if (!ATTRIBUTE_VALUE.test(options.domain) || !/^[A-Za-z0-9.-]+$/.test(options.domain)) {
      invalid(`Cookie "${name}": domain ${JSON.stringify(options.domain)} is not a host name.`);
    }
    out += `; Domain=${options.domain}`;
  }
  const path = options.path ?? '/';
  if (!ATTRIBUTE_VALUE.test(path))
    invalid(`Cookie "${name}": path ${JSON.stringify(path)} contains ';' or control characters.`);
  out += `; Path=${path}`;
  if (options.httpOnly ?? true) out += '; HttpOnly';
  if (options.secure) out += '; Secure';
  const sameSite = options.sameSite ?? 'lax';
  if (sameSite === 'strict') out += '; SameSite=Strict';
  else if (sameSite === 'lax') out += '; SameSite=Lax';
  else if (sameSite === 'none') {
    if (!options.secure)
      invalid(`Cookie "${name}": sameSite 'none' requires secure: true (browsers drop it otherwise).`);
    out += '; SameSite=None';
  } else invalid(`Cookie "${name}": sameSite must be 'strict', 'lax' or 'none', got ${JSON.stringify(sameSite)}.`);
  if (options.partitioned) out += '; Partitioned';
  if (options.priority !== undefined) {
    const priority = { low: 'Low', medium: 'Medium', high: 'High' }[options.priority];
    if (!priority) invalid(`Cookie "${name}": priority must be 'low', 'medium' or 'high'.`);
    out += `; Priority=${priority}`;
  }
  if (Buffer.byteLength(`${name}=${encoded}`) > MAX_COOKIE_BYTES) {
    invalid(
      `Cookie "${name}" is over ${MAX_COOKIE_BYTES} bytes; browsers drop it. Store the data server-side and set an id.`,
    );
  }
  return out;
}

function hmac(key: string, value: string): string {
  return createHmac('sha256', hmacKey(key)).update(value).digest('base64url');
}

/** Appends an HMAC-SHA256 signature made with the first (current) key. */
export function signCookieValue(value: string, keys: readonly string[]): string {
  const key = keys[0];
  if (key === undefined) {
    throw new FrameworkError(
      'FW_ERR_COOKIE_SECRET',
      'Signing a cookie needs a secret, and this app has none: set the COOKIE_SECRET environment variable ' +
        'or pass createApp({ cookies: { secret } }) (32+ characters; make one with ' +
        `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"). ` +
        "A plugin that signs cookies can call app.requireCookieSecret('<feature>') so this is caught at start-up.",
    );
  }
  return `${value}.${hmac(key, value)}`;
}

/** Returns the unsigned value when a signature made with any of `keys` matches, else `undefined`. */
export function unsignCookieValue(signed: string, keys: readonly string[]): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot === -1) return undefined;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  for (const key of keys) {
    const expected = Buffer.from(hmac(key, value));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return value;
  }
  return undefined;
}

/** The shortest cookie secret accepted: 32 characters (HMAC-SHA256 keys of at least 128 bits of randomness). */
export const MIN_COOKIE_SECRET_LENGTH = 32;
const MAKE_SECRET = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

/**
 * The cookie keys of an app: `createApp({ cookies: { secret } })`, else the `COOKIE_SECRET`
 * environment variable (a comma-separated list rotates: the first signs, all verify). Throws when
 * a key is shorter than 32 characters, naming where it came from and how to make one.
 */
export function resolveCookieKeys(secret: string | readonly string[] | undefined): string[] {
  const fromEnv = secret === undefined;
  const raw = fromEnv ? process.env.COOKIE_SECRET : secret;
  if (raw === undefined || raw === '') return [];
  const keys = typeof raw === 'string' ? (fromEnv ? raw.split(',').map((key) => key.trim()) : [raw]) : [...raw];
  const where = fromEnv ? 'The COOKIE_SECRET environment variable' : 'createApp({ cookies: { secret } })';
  keys.forEach((key, index) => {
    if (typeof key !== 'string' || key.length < MIN_COOKIE_SECRET_LENGTH) {
      throw new FrameworkError(
        'FW_ERR_COOKIE_SECRET',
        `${where} has a key${keys.length > 1 ? ` (#${index + 1})` : ''} of ${typeof key === 'string' ? `${key.length} characters` : typeof key}; ` +
          `cookie secrets need at least ${MIN_COOKIE_SECRET_LENGTH} random characters. Make one with ${MAKE_SECRET} ` +
          'and set it as COOKIE_SECRET (or createApp({ cookies: { secret } })).',
      );
    }
  });
  return keys;
}
