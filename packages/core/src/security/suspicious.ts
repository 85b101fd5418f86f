import { createHash } from 'node:crypto';
import { type Duration, parseDuration } from '../duration.ts';
import { FrameworkError, TooManyRequestsError } from '../errors.ts';
import type { RateLimitStore } from './store.ts';
import { detectIndicator, type ScanningIndicator } from './suspicious-patterns.ts';

export type { ScanningIndicator } from './suspicious-patterns.ts';

/**
 * What happens to a client (or an account) past a suspicious-behaviour threshold: `block` answers
 * 429 with `Retry-After` until `duration` passes, `throttle` delays each response by 1 s, `captcha`
 * answers 429 `FW_ERR_CAPTCHA_REQUIRED` until the client passes a challenge the app verifies.
 *
 * @example
 * ```ts
 * const action: SuspiciousAction = 'captcha';
 * ```
 */
export type SuspiciousAction = 'block' | 'throttle' | 'captcha';

/**
 * Failed sign-in tracking, driven by the app through `ctx.rateLimit.check()`, `fail()` and `succeed()`.
 *
 * @example
 * ```ts
 * const failedLogins: FailedLoginsOptions = { max: 5, window: '15m', action: 'captcha', resetOnSuccess: true };
 * ```
 */
export interface FailedLoginsOptions {
  /** Failures allowed in `window` (per client, and per account when the app passes a key). Default 5. */
  max?: number;
  /** Default `'15m'`. */
  window?: Duration;
  /** Default `'block'`. For an account key, `block` only applies to clients that never signed in to it. */
  action?: SuspiciousAction;
  /** How long the action lasts once triggered. Default: `window`. */
  duration?: Duration;
  /** A successful sign-in clears the failure count of the client and the account. Default true. */
  resetOnSuccess?: boolean;
  /** How long a client that signed in to an account stays recognised for it. Default `'30d'`. */
  rememberClients?: Duration;
}

/**
 * Bursts of requests from one client, over every route.
 *
 * @example
 * ```ts
 * const rapidRequests: RapidRequestsOptions = { threshold: 50, window: '10s', action: 'throttle' };
 * ```
 */
export interface RapidRequestsOptions {
  /** Requests allowed in `window`. */
  threshold: number;
  /** Default `'1m'`. */
  window?: Duration;
  /** Default `'throttle'`. */
  action?: 'block' | 'throttle';
  /** How long a block lasts. Default: `window`. */
  duration?: Duration;
}

/**
 * Scanner detection: each sign (and each `ctx.rateLimit.flag()`) counts; a client past `threshold`
 * in `window` is blocked for `duration`.
 *
 * @example
 * ```ts
 * const scanningBehavior: ScanningOptions = { indicators: ['random-paths', 'sql-injection-attempts'], action: 'block', duration: '24h' };
 * ```
 */
export interface ScanningOptions {
  /** Default: all four. */
  indicators?: readonly ScanningIndicator[];
  /** Signs allowed in `window`. Default 10. */
  threshold?: number;
  /** Default `'5m'`. */
  window?: Duration;
  action?: 'block';
  /** Default `'24h'`. */
  duration?: Duration;
}

/**
 * The `suspicious` option of `rateLimit()`: detection of failed sign-ins, bursts of requests and
 * scanners, each off unless set.
 *
 * @example
 * ```ts
 * app.use(rateLimit({ suspicious: { failedLogins: { max: 5, window: '5m', action: 'captcha' } } }));
 * ```
 */
export interface SuspiciousOptions {
  failedLogins?: FailedLoginsOptions;
  rapidRequests?: RapidRequestsOptions;
  scanningBehavior?: ScanningOptions;
}

/**
 * The account (or other subject) a failed-login call is about.
 *
 * @example
 * ```ts
 * await ctx.rateLimit.fail({ key: email });
 * ```
 */
export interface AttemptOptions {
  /** The account, e.g. the email typed in; normalised (NFKC, trimmed, lower-case) and hashed before use. */
  key?: string;
}

/**
 * What the limiter needs to reach the store: calls bounded by its timeout.
 *
 * @example
 * ```ts
 * const deps: GuardDeps = { store, call: (operation) => operation(), stats: { blocked: 0, throttled: 0, challenged: 0 } };
 * ```
 */
export interface GuardDeps {
  readonly store: RateLimitStore;
  call<T>(operation: () => Promise<T>): Promise<T>;
  readonly stats: { blocked: number; throttled: number; challenged: number };
}

const THROTTLE_DELAY = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function positive(value: unknown, option: string, fallback: number): number {
  const result = value ?? fallback;
  if (typeof result !== 'number' || !Number.isInteger(result) || result < 1) {
    throw new FrameworkError(
      'FW_ERR_INVALID_OPTION',
      `rateLimit ${option} must be a positive integer (a count of requests), got ${JSON.stringify(value)}.`,
    );
  }
  return result;
}

/** Normalises and hashes an account key so case variants share a counter and no PII reaches the store. */
function accountKey(key: string): string {
  return createHash('sha256').update(key.normalize('NFKC').trim().toLowerCase()).digest('base64url').slice(0, 32);
}

function retryAfterSeconds(until: number): number {
  return Math.max(1, Math.ceil((until - Date.now()) / 1000));
}

/**
 * A 429 for a client or account that is blocked until `until`.
 *
 * @example
 * ```ts
 * throw blockedError(Date.now() + 60_000, 'This client is blocked after suspicious activity.');
 * ```
 */
export function blockedError(until: number, why: string): TooManyRequestsError {
  const seconds = retryAfterSeconds(until);
  return new TooManyRequestsError(`${why} Retry after ${seconds} seconds.`, {
    code: 'FW_ERR_RATE_LIMITED',
    headers: { 'retry-after': String(seconds) },
    details: { retryAfter: seconds },
  });
}

function captchaError(): TooManyRequestsError {
  return new TooManyRequestsError(
    'Too many failed attempts: complete the challenge (CAPTCHA) and send the request again with its answer.',
    { code: 'FW_ERR_CAPTCHA_REQUIRED', details: { challenge: 'captcha' } },
  );
}

/**
 * Suspicious-behaviour detection for one limiter: client blocks, bursts, scanning signs and
 * failed sign-ins. Every store call goes through `deps.call`, so a failing store is handled by the
 * limiter's fail-open or fail-closed policy.
 *
 * @example
 * ```ts
 * const guard = new SuspiciousGuard({ scanningBehavior: { threshold: 10 } }, deps);
 * await guard.onRequest('203.0.113.7', '/search?q=1'); // throws a 429 once the client is blocked
 * ```
 */
export class SuspiciousGuard {
  private readonly deps: GuardDeps;
  private readonly failed:
    | {
        max: number;
        windowMs: number;
        durationMs: number;
        action: SuspiciousAction;
        reset: boolean;
        rememberMs: number;
      }
    | undefined;
  private readonly rapid:
    | { threshold: number; windowMs: number; durationMs: number; action: 'block' | 'throttle' }
    | undefined;
  private readonly scanning:
    | { threshold: number; windowMs: number; durationMs: number; injection: ScanningIndicator[]; notFound: boolean }
    | undefined;

  constructor(options: SuspiciousOptions, deps: GuardDeps) {
    this.deps = deps;
    const { failedLogins, rapidRequests, scanningBehavior } = options;
    if (failedLogins !== undefined) {
      const windowMs = parseDuration(failedLogins.window ?? '15m', 'suspicious.failedLogins.window');
      this.failed = {
        max: positive(failedLogins.max, 'suspicious.failedLogins.max', 5),
        windowMs,
        durationMs: parseDuration(failedLogins.duration ?? windowMs, 'suspicious.failedLogins.duration'),
        action: failedLogins.action ?? 'block',
        reset: failedLogins.resetOnSuccess ?? true,
        rememberMs: parseDuration(failedLogins.rememberClients ?? '30d', 'suspicious.failedLogins.rememberClients'),
      };
    }
    if (rapidRequests !== undefined) {
      const windowMs = parseDuration(rapidRequests.window ?? '1m', 'suspicious.rapidRequests.window');
      this.rapid = {
        threshold: positive(rapidRequests.threshold, 'suspicious.rapidRequests.threshold', 0),
        windowMs,
        durationMs: parseDuration(rapidRequests.duration ?? windowMs, 'suspicious.rapidRequests.duration'),
        action: rapidRequests.action ?? 'throttle',
      };
    }
    if (scanningBehavior !== undefined) {
      const indicators = scanningBehavior.indicators ?? [
        'random-paths',
        'sql-injection-attempts',
        'xss-attempts',
        'path-traversal',
      ];
      this.scanning = {
        threshold: positive(scanningBehavior.threshold, 'suspicious.scanningBehavior.threshold', 10),
        windowMs: parseDuration(scanningBehavior.window ?? '5m', 'suspicious.scanningBehavior.window'),
        durationMs: parseDuration(scanningBehavior.duration ?? '24h', 'suspicious.scanningBehavior.duration'),
        injection: indicators.filter((indicator) => indicator !== 'random-paths'),
        notFound: indicators.includes('random-paths'),
      };
    }
  }

  /** Whether 404 answers must be reported through `onResponse`. */
  get watchesNotFound(): boolean {
    return this.scanning?.notFound === true;
  }

  /** Whether any detector is on (and so whether requests check for a block first). */
  get active(): boolean {
    return this.failed !== undefined || this.rapid !== undefined || this.scanning !== undefined;
  }

  /** Runs before the rate limit: refuses blocked clients, counts bursts and injection signs. */
  async onRequest(client: string, target: string): Promise<void> {
    const { store, call, stats } = this.deps;
    const until = await call(() => store.blockedUntil(`bl:${client}`));
    if (until > Date.now()) {
      stats.blocked++;
      throw blockedError(until, 'This client is blocked after suspicious activity.');
    }
    const rapid = this.rapid;
    if (rapid !== undefined) {
      const { count } = await call(() => store.increment(`rr:${client}`, rapid.windowMs));
      if (count > rapid.threshold) {
        if (rapid.action === 'block') {
          await this.block(client, `rr:${client}`, rapid.durationMs, 'Too many requests in a short time.');
        }
        stats.throttled++;
        await sleep(THROTTLE_DELAY);
      }
    }
    const scanning = this.scanning;
    if (scanning !== undefined && scanning.injection.length > 0 && detectIndicator(target, scanning.injection)) {
      await this.flag(client, true);
    }
  }

  /** Counts a 404 towards the scanning threshold. */
  async onNotFound(client: string): Promise<void> {
    await this.flag(client, false);
  }

  /** Counts one scanning sign; past the threshold the client is blocked (now, when `now` is set). */
  async flag(client: string, now: boolean): Promise<void> {
    const scanning = this.scanning;
    if (scanning === undefined) return;
    const { count } = await this.deps.call(() => this.deps.store.increment(`sc:${client}`, scanning.windowMs));
    if (count <= scanning.threshold) return;
    const why = now ? 'This client is blocked after requests that look like a security scan.' : undefined;
    await this.block(client, `sc:${client}`, scanning.durationMs, why);
  }

  /**
   * Blocks the client for `durationMs` and clears the counter that tripped, so the client starts
   * afresh when the block ends; throws the 429 for the current request when `why` is given.
   */
  private async block(client: string, counter: string, durationMs: number, why: string | undefined): Promise<void> {
    const { store, call, stats } = this.deps;
    await call(() => store.block(`bl:${client}`, durationMs));
    await call(() => store.reset(counter));
    if (why === undefined) return;
    stats.blocked++;
    throw blockedError(Date.now() + durationMs, why);
  }

  /** Before checking credentials: refuses, challenges or delays a client or account past its failures. */
  async check(client: string, options: AttemptOptions & { challengePassed?: boolean }): Promise<void> {
    const failed = this.failed;
    if (failed === undefined) return;
    const { store, call, stats } = this.deps;
    const clientMark = await call(() => store.blockedUntil(`fl:c:${client}`));
    const account = options.key === undefined ? undefined : accountKey(options.key);
    const accountMark = account === undefined ? 0 : await call(() => store.blockedUntil(`fl:a:${account}`));
    const now = Date.now();
    if (clientMark <= now && accountMark <= now) return;
    if (failed.action === 'captcha') {
      if (options.challengePassed === true) return;
      stats.challenged++;
      throw captchaError();
    }
    if (failed.action === 'block' && account !== undefined && accountMark > now) {
      // No malicious lock-out: a client that signed in to this account before is let through.
      const known = await call(() => store.blockedUntil(`kn:${account}:${client}`));
      if (known <= now) {
        stats.blocked++;
        throw blockedError(accountMark, 'Too many failed sign-ins for this account.');
      }
      return;
    }
    stats.throttled++;
    await sleep(THROTTLE_DELAY);
  }

  /** Records a failed sign-in for the client and, with a key, for the account. */
  async fail(client: string, options: AttemptOptions): Promise<void> {
    const failed = this.failed;
    if (failed === undefined) return;
    const { store, call } = this.deps;
    const { count } = await call(() => store.increment(`fl:c:${client}`, failed.windowMs));
    if (count >= failed.max) {
      // A client-level block refuses every request (checked in onRequest); other actions wait for check().
      if (failed.action === 'block') await this.block(client, `fl:c:${client}`, failed.durationMs, undefined);
      else await call(() => store.block(`fl:c:${client}`, failed.durationMs));
    }
    if (options.key === undefined) return;
    const account = accountKey(options.key);
    const perAccount = await call(() => store.increment(`fl:a:${account}`, failed.windowMs));
    if (perAccount.count >= failed.max) await call(() => store.block(`fl:a:${account}`, failed.durationMs));
  }

  /** Records a successful sign-in: remembers the client for the account and clears the failures. */
  async succeed(client: string, options: AttemptOptions): Promise<void> {
    const failed = this.failed;
    if (failed === undefined) return;
    const { store, call } = this.deps;
    const account = options.key === undefined ? undefined : accountKey(options.key);
    if (account !== undefined) await call(() => store.block(`kn:${account}:${client}`, failed.rememberMs));
    if (!failed.reset) return;
    await call(() => store.reset(`fl:c:${client}`));
    if (account !== undefined) await call(() => store.reset(`fl:a:${account}`));
  }
}
