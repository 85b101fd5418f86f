import type { Duration } from './duration.ts';
import type { Logger } from './logger.ts';
import type { QueryLimits } from './security/hardening.ts';
import type { SecurityOptions } from './security/headers.ts';
import type { TrustProxy } from './security/trust-proxy.ts';
import type { ServerLimits, ServerOptions } from './server/types.ts';
import type { UploadOptions } from './uploads/scan.ts';

/**
 * Options for `createApp()`, as the app reads them once `createApp()` has parsed the time options
 * (`AppTimeOptions`) into milliseconds. Every one has a safe default.
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
  /** Server limits and timeouts, the timeouts in milliseconds. */
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

/**
 * The time options of `createApp()` as an app passes them: milliseconds, or a duration string such
 * as `'10s'`. `createApp()` parses them once and throws `FW_ERR_INVALID_OPTION` naming any that is
 * not a duration.
 *
 * @example
 * ```ts
 * const app = createApp({ closeTimeout: '10s', server: { requestTimeout: '1m', shutdownTimeout: 25_000 } });
 * ```
 */
export interface AppTimeOptions {
  /**
   * Milliseconds, or a duration string such as `'10s'`: how long `app.stop()` gives the `onClose`
   * hooks (closing pools, connections, workers) after the server has drained, all together. A hook
   * still running then is logged and left behind, so `stop()` finishes within its deadline whatever
   * a dependency does. Default 10 000.
   */
  closeTimeout?: Duration;
  /** Server limits and timeouts; each timeout is milliseconds, or a duration string such as `'30s'`. */
  server?: ServerOptions;
}

/** A development default a plugin fell back to (`app.productionDefault()`). */
export interface ProductionDefault {
  /** What the plugin does, e.g. `@framework/db stores data in the PGlite folder .data/pglite`. */
  readonly what: string;
  /** What to write instead, e.g. `Set DATABASE_URL=postgres://user:password@host:5432/app`. */
  readonly fix: string;
}
