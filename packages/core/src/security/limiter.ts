/**
 * The rate limiter behind `rateLimit()`: its options, the counters it keeps per client and route
 * in the store, and how a failing store is handled (served open, or 503 with `failClosed`).
 */

import { createHash } from 'node:crypto';
import type { Context } from '../context.ts';
import { type Duration, formatDuration, parseDuration } from '../duration.ts';
import { FrameworkError, isHttpError, ServiceUnavailableError, TooManyRequestsError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { Reply } from '../reply.ts';
import { clientAddressKey } from './client-address.ts';
import {
  type Bucket,
  bucketFor,
  compileRoutes,
  positiveInteger,
  type RouteLimit,
  type RoutePattern,
} from './route-patterns.ts';
import { MemoryRateLimitStore, type RateLimitStore } from './store.ts';
import { type AttemptOptions, SuspiciousGuard, type SuspiciousOptions } from './suspicious.ts';

/**
 * Options for `rateLimit()`. Every one has a default.
 *
 * @example
 * ```ts
 * app.use(rateLimit({ window: '15m', max: 100, routes: { 'POST /api/login': { max: 5 } } }));
 * ```
 */
export interface RateLimitOptions {
  /** Length of a window. Default `'15m'`. */
  window?: Duration;
  /** Requests per client per window; request `max + 1` gets 429. Default 100. */
  max?: number;
  /**
   * Limits per route pattern, `'METHOD /path'`: the method may be `*` (any), the path may end in
   * `*` (everything under it; `/api/*` also matches `/api`). The most specific pattern applies, and
   * replaces the global limit for the requests it matches: an exact path beats a wildcard, a longer
   * wildcard beats a shorter one, then a named method beats `*`. Each pattern has its own bucket.
   */
  routes?: Record<string, RouteLimit>;
  /** The client's identity. Default: `ctx.ip` (the socket address unless the app trusts a proxy), IPv6 by prefix. */
  keyGenerator?: (ctx: Context) => string | Promise<string>;
  /** IPv6 clients are counted by this prefix length, since one host usually holds a whole /64 or /56. Default 56. */
  ipv6Subnet?: number;
  /** Where counters live. Default: a `MemoryRateLimitStore` (one process); use a shared store across instances. */
  store?: RateLimitStore;
  /** Longest wait for one store call; longer counts as a store failure. Default 250 ms. */
  storeTimeout?: Duration;
  /** On a store failure answer 503 instead of serving the request unlimited. Default false (fail open). */
  failClosed?: boolean;
  /** Requests for which this returns true are neither counted nor limited (health checks, say). */
  skip?: (ctx: Context) => boolean | Promise<boolean>;
  /** Send `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Default true. */
  headers?: boolean;
  /** Detection of failed sign-ins, bursts and scanners. Off unless set. */
  suspicious?: SuspiciousOptions;
  /** Where store failures are logged (at most once a minute). Default: JSON lines on stderr; `false` silences. */
  logger?: Logger | false;
}

/**
 * Counters of what the limiter did, for metrics.
 *
 * @example
 * ```ts
 * app.get('/metrics/rate-limit', () => ({ ...app.rateLimit.stats }));
 * ```
 */
export interface RateLimitStats {
  /** Requests answered 429 for being over a limit. */
  limited: number;
  /** Requests refused because the client or the account is blocked. */
  blocked: number;
  /** Responses delayed by a `throttle` action. */
  throttled: number;
  /** Requests answered 429 `FW_ERR_CAPTCHA_REQUIRED`. */
  challenged: number;
  /** Store calls that failed or timed out (served open, or 503 with `failClosed`). */
  storeErrors: number;
}

/**
 * The limiter as the app sees it: `app.rateLimit`.
 *
 * @example
 * ```ts
 * await app.rateLimit.reset('203.0.113.7'); // lift the limits and blocks of one client
 * ```
 */
export interface RateLimiter {
  readonly stats: RateLimitStats;
  readonly store: RateLimitStore;
  /** Clears every counter and block of a client key (as `keyGenerator` or the IP rule makes it): an admin "unblock". */
  reset(client: string): Promise<void>;
  /** What `ctx.rateLimit` is for a request: how a plugin that signs users in (auth) reports attempts. */
  forContext(ctx: Context): RateLimitContext;
}

/**
 * `ctx.rateLimit`: how a sign-in route reports attempts and how other plugins report suspicious input.
 *
 * @example
 * ```ts
 * app.post('/api/login', async (ctx) => {
 *   const { email, password, captcha } = ctx.body;
 *   await ctx.rateLimit.check({ key: email, challengePassed: await verifyCaptcha(captcha) });
 *   if (!(await passwordMatches(email, password))) {
 *     await ctx.rateLimit.fail({ key: email });
 *     throw new UnauthorizedError('Wrong email or password.');
 *   }
 *   await ctx.rateLimit.succeed({ key: email });
 *   return { ok: true };
 * });
 * ```
 */
export interface RateLimitContext {
  /**
   * Call before checking credentials: throws 429 (blocked, or `FW_ERR_CAPTCHA_REQUIRED` unless
   * `challengePassed`) or waits 1 s (throttle) once the client or account is past `failedLogins.max`.
   */
  check(options?: AttemptOptions & { challengePassed?: boolean }): Promise<void>;
  /** Records a failed sign-in for this client and, with `key`, for that account. */
  fail(options?: AttemptOptions): Promise<void>;
  /** Records a successful sign-in: the client is remembered for the account; failures clear (`resetOnSuccess`). */
  succeed(options?: AttemptOptions): Promise<void>;
  /** Reports a scanning sign (an input sanitizer's rejection, say); counts towards `scanningBehavior.threshold`. */
  flag(reason: string): Promise<void>;
}

/** Marks an error of the store (or its timeout) so the fail-open/closed policy applies to it alone. */
class StoreFailure extends Error {
  constructor(cause: unknown) {
    super('The rate-limit store failed.', { cause });
  }
}

const LOG_INTERVAL = 60_000;
const FAIL_CLOSED_RETRY = 5;

/** Path and raw query string, as sent: `ctx.url` would resolve `..` segments and re-encode the query. */
function requestTarget(ctx: Context): string {
  const query = 'queryString' in ctx && typeof ctx.queryString === 'string' ? ctx.queryString : '';
  return query === '' ? ctx.path : `${ctx.path}?${query}`;
}

/**
 * One `rateLimit()` instance: counts each client's requests per route bucket, runs the
 * suspicious-behaviour guard first, and applies the store-failure policy.
 *
 * @example
 * ```ts
 * const limiter = new Limiter({ max: 100, window: '15m' });
 * app.onRequest((ctx) => limiter.onRequest(ctx));
 * ```
 */
export class Limiter implements RateLimiter {
  readonly stats: RateLimitStats = { limited: 0, blocked: 0, throttled: 0, challenged: 0, storeErrors: 0 };
  readonly store: RateLimitStore;
  readonly ownsStore: boolean;
  readonly guard: SuspiciousGuard;
  private readonly global: Bucket;
  private readonly routes: RoutePattern[];
  private readonly options: RateLimitOptions;
  private readonly timeoutMs: number;
  private readonly subnet: number;
  private readonly logger: Logger;
  private readonly clients = new WeakMap<object, Promise<string>>();
  private readonly skipped = new WeakSet<object>();
  private lastLog = 0;
  private unlogged = 0;

  constructor(options: RateLimitOptions) {
    this.options = options;
    this.global = {
      id: '*',
      max: positiveInteger(options.max ?? 100, 'max'),
      windowMs: parseDuration(options.window ?? '15m', 'rateLimit window'),
    };
    this.routes = compileRoutes(options.routes ?? {}, this.global);
    this.timeoutMs = parseDuration(options.storeTimeout ?? 250, 'rateLimit storeTimeout');
    const subnet = options.ipv6Subnet ?? 56;
    if (!Number.isInteger(subnet) || subnet < 1 || subnet > 128) {
      throw new FrameworkError(
        'FW_ERR_INVALID_OPTION',
        `rateLimit ipv6Subnet must be 1 to 128 (default 56), got ${subnet}.`,
      );
    }
    this.subnet = subnet;
    this.logger = createLogger(options.logger);
    this.ownsStore = options.store === undefined;
    this.store = options.store ?? new MemoryRateLimitStore();
    this.guard = new SuspiciousGuard(options.suspicious ?? {}, {
      store: this.store,
      call: (operation) => this.call(operation),
      stats: this.stats,
    });
  }

  async reset(client: string): Promise<void> {
    const buckets = [this.global, ...this.routes.map((route) => route.bucket)];
    for (const bucket of buckets) if (bucket !== false) await this.store.reset(`rl:${bucket.id}:${client}`);
    for (const prefix of ['bl:', 'rr:', 'sc:', 'fl:c:']) await this.store.reset(prefix + client);
  }

  /** One store call, bounded by `storeTimeout`; any failure becomes a `StoreFailure`. */
  async call<T>(operation: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = operation();
      // A call that settles after its timeout must not become an unhandled rejection.
      pending.catch(() => {});
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      return await Promise.race([pending, timeout]);
    } catch (error) {
      throw new StoreFailure(error);
    } finally {
      clearTimeout(timer);
    }
  }

  client(ctx: Context): Promise<string> {
    let client = this.clients.get(ctx);
    if (client === undefined) {
      const generate = this.options.keyGenerator;
      client =
        generate === undefined
          ? Promise.resolve(clientAddressKey(ctx.ip, this.subnet))
          : Promise.resolve(generate(ctx)).then((key) => {
              const text = String(key);
              // Keys from headers or tokens can be long: hash them so store keys stay small.
              return text.length > 128 ? createHash('sha256').update(text).digest('base64url') : text || 'unknown';
            });
      this.clients.set(ctx, client);
    }
    return client;
  }

  private storeFailed(failure: StoreFailure): void {
    this.stats.storeErrors++;
    this.unlogged++;
    const now = Date.now();
    if (now - this.lastLog < LOG_INTERVAL) return;
    this.logger.error(
      { err: failure.cause, failures: this.unlogged },
      this.options.failClosed === true
        ? 'The rate-limit store failed; requests are answered 503 (failClosed). Check the store.'
        : 'The rate-limit store failed; requests are served without limits (fail open). Check the store.',
    );
    this.lastLog = now;
    this.unlogged = 0;
  }

  /** Applies the store-failure policy to `error`; any other error passes through. */
  private policy(error: unknown): void {
    if (!(error instanceof StoreFailure)) throw error;
    this.storeFailed(error);
    if (this.options.failClosed === true) {
      throw new ServiceUnavailableError(
        `Rate limiting is unavailable, so the request was refused. Retry after ${FAIL_CLOSED_RETRY} seconds.`,
        { code: 'FW_ERR_RATE_LIMIT_UNAVAILABLE', headers: { 'retry-after': String(FAIL_CLOSED_RETRY) }, expose: true },
      );
    }
  }

  async onRequest(ctx: Context): Promise<void> {
    const skip = this.options.skip;
    if (skip !== undefined && (await skip(ctx))) {
      this.skipped.add(ctx);
      return;
    }
    const client = await this.client(ctx);
    try {
      if (this.guard.active) {
        await this.guard.onRequest(client, requestTarget(ctx));
      }
      const bucket = bucketFor(this.routes, this.global, ctx.method, ctx.path);
      if (bucket === false) return;
      const { count, resetAt } = await this.call(() =>
        this.store.increment(`rl:${bucket.id}:${client}`, bucket.windowMs),
      );
      const reset = Math.max(0, Math.ceil((resetAt - Date.now()) / 1000));
      if (this.options.headers !== false) {
        ctx.header('ratelimit-limit', String(bucket.max));
        ctx.header('ratelimit-remaining', String(Math.max(0, bucket.max - count)));
        ctx.header('ratelimit-reset', String(reset));
      }
      if (count > bucket.max) {
        this.stats.limited++;
        const seconds = Math.max(1, reset);
        throw new TooManyRequestsError(
          `Too many requests: the limit is ${bucket.max} per ${formatDuration(bucket.windowMs)}. Retry after ${seconds} seconds.`,
          {
            code: 'FW_ERR_RATE_LIMITED',
            headers: { 'retry-after': String(seconds) },
            details: { retryAfter: seconds },
          },
        );
      }
    } catch (error) {
      if (isHttpError(error)) throw error;
      this.policy(error);
    }
  }

  async onResponse(ctx: Context, reply: Reply): Promise<void> {
    if (reply.status !== 404 || this.skipped.has(ctx)) return;
    try {
      await this.guard.onNotFound(await this.client(ctx));
    } catch (error) {
      if (!(error instanceof StoreFailure)) throw error;
      this.storeFailed(error);
    }
  }

  forContext(ctx: Context): RateLimitContext {
    // Recording calls never fail a request over a store problem; only check() applies failClosed.
    const record = async (work: (client: string) => Promise<void>): Promise<void> => {
      const client = await this.client(ctx);
      try {
        await work(client);
      } catch (error) {
        if (!(error instanceof StoreFailure)) throw error;
        this.storeFailed(error);
      }
    };
    return {
      check: async (options = {}) => {
        const client = await this.client(ctx);
        try {
          await this.guard.check(client, options);
        } catch (error) {
          if (isHttpError(error)) throw error;
          this.policy(error);
        }
      },
      fail: (options = {}) => record((client) => this.guard.fail(client, options)),
      succeed: (options = {}) => record((client) => this.guard.succeed(client, options)),
      flag: (reason) => {
        this.logger.debug({ reason, method: ctx.method, path: ctx.path }, 'suspicious request flagged');
        return record((client) => this.guard.flag(client, false));
      },
    };
  }
}
