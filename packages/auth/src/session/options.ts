import { checkOptions, type Duration, type KnownOptions, parseDuration } from '@framework/core';
import { AuthConfigError } from '../errors.ts';
import { resolveSessionKeys } from './secret.ts';

/**
 * The session cookie's settings. It is always `HttpOnly`, `Path=/` and without `Domain`; what can
 * change is below.
 *
 * @example
 * ```ts
 * const cookie: SessionCookieOptions = { sameSite: 'strict', secure: true };
 * ```
 */
export interface SessionCookieOptions {
  /**
   * The cookie's name. Default `__Host-sid` when the cookie is `Secure` (the `__Host-` prefix makes
   * browsers refuse it from a sub-domain or without `Secure`), else `sid`.
   */
  name?: string;
  /**
   * Send the cookie over HTTPS only. Default: whether the request came over HTTPS (`ctx.protocol`,
   * which trusts `X-Forwarded-Proto` only from a trusted proxy). Set `true` behind a TLS proxy the
   * app does not trust.
   */
  secure?: boolean;
  /** Must stay `true` (the default): scripts never read the session cookie. `false` is refused. */
  httpOnly?: boolean;
  /** `'lax'` (default) or `'strict'`; `'none'` is refused (it sends the cookie with cross-site requests). */
  sameSite?: 'lax' | 'strict';
}

/**
 * Options of session authentication: `auth({ strategies: { session: { ... } } })`. Unknown keys
 * throw, naming the key.
 *
 * @example
 * ```ts
 * const options: SessionOptions = { store: 'redis', maxAge: '30m', absoluteMaxAge: '1d', cookie: { sameSite: 'strict' } };
 * ```
 */
export interface SessionOptions {
  /** Where sessions live: `memory` (this process) or `redis` (`app.redis`). Chosen by `auth()`. */
  store?: 'memory' | 'redis';
  /**
   * Keys that sign the session cookie (HMAC-SHA256), each 32 characters or more. A list rotates keys:
   * the first signs, every one verifies; drop an old key to end the sessions signed with it.
   * Default: the `SESSION_SECRET` environment variable (a comma-separated list rotates). Without
   * either, production refuses to start; elsewhere a random key is made for this process (sessions
   * end at restart) and `warnings` says so.
   */
  secret?: string | readonly string[];
  /** The cookie's name and attributes. */
  cookie?: SessionCookieOptions;
  /** A session unused for this long ends (idle timeout; each use pushes it back). Default `'2h'`. */
  maxAge?: Duration;
  /** A session ends this long after login, however active (absolute timeout). Default `'7d'`. */
  absoluteMaxAge?: Duration;
}

const OPTIONS: KnownOptions<SessionOptions> = {
  store: true,
  secret: true,
  cookie: true,
  maxAge: true,
  absoluteMaxAge: true,
};
const COOKIE_OPTIONS: KnownOptions<SessionCookieOptions> = { name: true, secure: true, httpOnly: true, sameSite: true };

/**
 * The options, checked and with their defaults: what the session service runs on.
 *
 * @example
 * ```ts
 * const config: SessionConfig = resolveSessionConfig({ secret: process.env.SESSION_SECRET }, 'sessions');
 * ```
 */
export interface SessionConfig {
  /** Signing keys: the first signs, all verify. */
  readonly keys: readonly string[];
  /** Lines to log at start-up (a per-process key). */
  readonly warnings: readonly string[];
  /** `undefined`: the default name for the request's protocol. */
  readonly cookieName: string | undefined;
  /** `undefined`: `Secure` when the request came over HTTPS. */
  readonly secure: boolean | undefined;
  readonly sameSite: 'lax' | 'strict';
  /** Milliseconds. */
  readonly idleMs: number;
  /** Milliseconds. */
  readonly absoluteMs: number;
}

// RFC 6265 §4.1.1: a cookie name is an RFC 9110 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function known<T extends object>(where: string, options: T | undefined, keys: KnownOptions<T>): void {
  try {
    checkOptions(where, options, keys);
  } catch (error) {
    throw new AuthConfigError(error instanceof Error ? error.message : String(error));
  }
}

function duration(value: Duration | undefined, fallback: Duration, option: string): number {
  let ms: number;
  try {
    ms = parseDuration(value ?? fallback, option);
  } catch (error) {
    throw new AuthConfigError(error instanceof Error ? error.message : String(error));
  }
  if (ms < 1_000) {
    throw new AuthConfigError(
      `${option} must be at least one second, such as '30m' or '2h'; got ${JSON.stringify(value)}.`,
    );
  }
  return ms;
}

function cookieSettings(cookie: SessionCookieOptions | undefined, where: string) {
  known(`the cookie option of ${where}`, cookie, COOKIE_OPTIONS);
  const { name, secure, httpOnly, sameSite = 'lax' } = cookie ?? {};
  if (httpOnly !== undefined && httpOnly !== true) {
    throw new AuthConfigError(
      `${where}: cookie.httpOnly cannot be false: a session cookie scripts can read is stolen by any XSS. ` +
        'Remove httpOnly; to show login state in the browser, serve it from an endpoint such as /me.',
    );
  }
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new AuthConfigError(
      `${where}: cookie.sameSite must be 'lax' (default) or 'strict'; got ${JSON.stringify(sameSite)}. ` +
        "'none' would send the session with cross-site requests; for a cross-site front end, use tokens (strategies.jwt).",
    );
  }
  if (secure !== undefined && typeof secure !== 'boolean') {
    throw new AuthConfigError(
      `${where}: cookie.secure must be true or false, or left out; got ${JSON.stringify(secure)}.`,
    );
  }
  if (name !== undefined && (typeof name !== 'string' || !TOKEN.test(name))) {
    throw new AuthConfigError(
      `${where}: cookie.name must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), such as 'sid'; got ${JSON.stringify(name)}.`,
    );
  }
  const prefixed = name !== undefined && /^__(Host|Secure)-/i.test(name);
  if (prefixed && secure === false) {
    throw new AuthConfigError(
      `${where}: cookie.name ${JSON.stringify(name)} has a __Host-/__Secure- prefix, which browsers accept only with Secure: ` +
        'remove secure: false, or pick a name without the prefix.',
    );
  }
  // A prefixed name is dropped by browsers without Secure, so it implies Secure.
  return { cookieName: name, secure: prefixed ? true : secure, sameSite };
}

/**
 * Checks session options and fills in the defaults; throws `AuthConfigError` naming the option and
 * what to write.
 *
 * @example
 * ```ts
 * const config = resolveSessionConfig({ maxAge: '30m' }, 'auth({ strategies: { session } })');
 * config.idleMs; // 1800000
 * ```
 */
export function resolveSessionConfig(
  options: SessionOptions | undefined,
  where: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SessionConfig {
  known(where, options, OPTIONS);
  const { store, secret, cookie, maxAge, absoluteMaxAge } = options ?? {};
  if (store !== undefined && store !== 'memory' && store !== 'redis') {
    throw new AuthConfigError(`${where}: store must be 'memory' or 'redis'; got ${JSON.stringify(store)}.`);
  }
  const idleMs = duration(maxAge, '2h', `${where}: maxAge`);
  const absoluteMs = duration(absoluteMaxAge, '7d', `${where}: absoluteMaxAge`);
  if (idleMs > absoluteMs) {
    throw new AuthConfigError(
      `${where}: maxAge (idle, ${String(maxAge ?? '2h')}) is longer than absoluteMaxAge (${String(absoluteMaxAge ?? '7d')}): ` +
        'make maxAge shorter, or absoluteMaxAge longer.',
    );
  }
  const { keys, warnings } = resolveSessionKeys(secret, where, env);
  return { keys, warnings, ...cookieSettings(cookie, where), idleMs, absoluteMs };
}
