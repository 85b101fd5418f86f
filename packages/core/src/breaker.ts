import { type Duration, parseDuration } from './duration.ts';
import { ServiceUnavailableError } from './errors.ts';
import type { Logger } from './logger.ts';

/**
 * Options of `createBreaker()`.
 *
 * @example
 * ```ts
 * const options: BreakerOptions = { name: 'Redis', failures: 3, coolDown: '2s', probe: () => redis.ping() };
 * ```
 */
export interface BreakerOptions {
  /** The dependency, as log lines and 503 answers name it: `Redis`, `PostgreSQL`. */
  name: string;
  /** Consecutive failures (timeouts, refused connections) that open the breaker. Default 3. */
  failures?: number;
  /**
   * Milliseconds, or a duration string such as `'10s'`: how long the breaker stays open before it
   * checks the dependency again. Default 2 000 (`'2s'`).
   */
  coolDown?: Duration;
  /**
   * Checks the dependency in the background while the breaker is open (a `PING`, a `select 1`),
   * bounded by `probeTimeout`. Resolving closes the breaker. Without it, the first call after the
   * cool-down goes through as the probe (half-open) and its outcome decides.
   */
  probe?: () => Promise<unknown>;
  /**
   * Milliseconds, or a duration string such as `'1s'`: how long a probe may take before it counts
   * as a failure. Default 1 000.
   */
  probeTimeout?: Duration;
  /** Where the one line at opening and the one line at recovery go. Default: nowhere. */
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** What the 503 says to do, after "<name> is not answering". Default: "try again in N s". */
  hint?: string;
}

/**
 * The state of a breaker: `closed` (calls go through), `open` (calls fail at once), `half-open`
 * (one call or the probe is checking the dependency).
 *
 * @example
 * ```ts
 * const state: BreakerState = breaker.state;
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one dependency (a Redis server, a PostgreSQL pool). After `failures`
 * consecutive failures it opens: calls fail at once with a 503 carrying `Retry-After` instead of
 * each waiting for its own timeout, so a hung server costs a few slow requests, not all of them.
 * After the cool-down a probe checks the dependency and closes the breaker when it answers. It logs
 * one line when it opens and one when the dependency is back.
 *
 * @example
 * ```ts
 * const breaker = createBreaker({ name: 'Redis', probe: () => redis.ping(), logger: app.logger });
 * app.get('/stats', () => breaker.run(() => redis.get('stats')));
 * ```
 */
export interface Breaker {
  readonly name: string;
  readonly state: BreakerState;
  /** True while calls fail at once (open, or half-open with the probe in flight). */
  readonly isOpen: boolean;
  /** Seconds until the breaker checks the dependency again (at least 1), for `Retry-After`. */
  retryAfter(): number;
  /**
   * Runs `fn` when the breaker lets it through and records its outcome; otherwise throws the 503
   * `unavailable()` returns. `isFailure` decides which errors count (default: every error).
   */
  run<T>(fn: () => Promise<T>, isFailure?: (error: unknown) => boolean): Promise<T>;
  /** Whether a call may go through now; in half-open state the first caller becomes the probe. */
  allow(): boolean;
  /** Records a success (closes the breaker). */
  succeeded(): void;
  /** Records a failure (opens the breaker after `failures` in a row). */
  failed(error?: unknown): void;
  /** The 503 error calls get while the breaker is open, with `Retry-After`. */
  unavailable(): ServiceUnavailableError;
  /** Stops the background probe (call when the dependency's client closes). */
  close(): void;
}

/**
 * Creates a circuit breaker; see `Breaker`. A `coolDown` or `probeTimeout` that is not a duration
 * throws `FW_ERR_INVALID_OPTION` naming the option, here rather than when the dependency fails.
 *
 * @example
 * ```ts
 * const breaker = createBreaker({ name: 'PostgreSQL', failures: 3, coolDown: '1s', probe: () => sql`select 1` });
 * const rows = await breaker.run(() => sql`select * from users`);
 * ```
 */
export function createBreaker(options: BreakerOptions): Breaker {
  const threshold = options.failures ?? 3;
  const coolDown = parseDuration(options.coolDown ?? 2_000, 'createBreaker({ coolDown })');
  const probeTimeout = parseDuration(options.probeTimeout ?? 1_000, 'createBreaker({ probeTimeout })');
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastError: unknown;

  const retryAfter = () => Math.max(1, Math.ceil((openedAt + coolDown - Date.now()) / 1000));

  const schedule = () => {
    if (options.probe === undefined || closed) return;
    clearTimeout(timer);
    timer = setTimeout(probe, coolDown);
    timer.unref();
  };

  const open = (error: unknown) => {
    const wasClosed = state === 'closed';
    state = 'open';
    openedAt = Date.now();
    lastError = error;
    if (wasClosed) {
      options.logger?.warn(
        { dependency: options.name, err: error, coolDown },
        `${options.name} is not answering; calls fail at once (503) and it is checked again every ${coolDown} ms`,
      );
    }
    schedule();
  };

  const recover = () => {
    const wasOpen = state !== 'closed';
    state = 'closed';
    consecutive = 0;
    clearTimeout(timer);
    if (wasOpen) options.logger?.info({ dependency: options.name }, `${options.name} is answering again`);
  };

  const probe = () => {
    if (closed || state === 'closed' || options.probe === undefined) return;
    state = 'half-open';
    let settled = false;
    const guard = setTimeout(() => {
      if (settled) return;
      settled = true;
      open(new Error(`no answer within ${probeTimeout} ms`));
    }, probeTimeout);
    guard.unref();
    Promise.resolve()
      .then(options.probe)
      .then(
        () => {
          if (settled) return;
          settled = true;
          clearTimeout(guard);
          recover();
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(guard);
          open(error);
        },
      );
  };

  const breaker: Breaker = {
    name: options.name,
    get state() {
      if (state === 'open' && options.probe === undefined && Date.now() - openedAt >= coolDown) return 'half-open';
      return state;
    },
    get isOpen() {
      return (
        state !== 'closed' && !(options.probe === undefined && state === 'open' && Date.now() - openedAt >= coolDown)
      );
    },
    retryAfter,
    allow() {
      if (state === 'closed') return true;
      if (options.probe === undefined && state === 'open' && Date.now() - openedAt >= coolDown) {
        // Half-open without a probe: this caller checks the dependency; the others keep failing fast.
        state = 'half-open';
        openedAt = Date.now();
        return true;
      }
      return false;
    },
    succeeded() {
      if (state === 'closed') consecutive = 0;
      else recover();
    },
    failed(error?: unknown) {
      if (state === 'half-open') {
        open(error ?? lastError);
        return;
      }
      consecutive++;
      if (state === 'closed' && consecutive >= threshold) open(error);
    },
    unavailable() {
      const seconds = retryAfter();
      return new ServiceUnavailableError(
        `${options.name} is not answering; ${options.hint ?? `try again in ${seconds} s`}.`,
        {
          code: 'FW_ERR_DEPENDENCY_UNAVAILABLE',
          headers: { 'retry-after': String(seconds) },
          cause: lastError,
          // The breaker logs the outage once when it opens; each refused request is not logged again.
          log: false,
        },
      );
    },
    async run<T>(fn: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
      if (!breaker.allow()) throw breaker.unavailable();
      try {
        const value = await fn();
        breaker.succeeded();
        return value;
      } catch (error) {
        if (isFailure(error)) breaker.failed(error);
        else breaker.succeeded();
        throw error;
      }
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
  return breaker;
}
