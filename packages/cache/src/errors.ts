import { defineErrorCodes, FrameworkError, ServiceUnavailableError } from '@framework/core';

/**
 * Every code @framework/cache's errors carry, each with what it means and what to do. Every error of
 * the package is a `FrameworkError` from @framework/core: `isFrameworkError(error, CACHE_ERROR_CODES)`
 * is true for exactly these.
 *
 * @example
 * ```ts
 * if (isFrameworkError(error, CACHE_ERROR_CODES)) console.error(error.code, CACHE_ERROR_CODES[error.code]);
 * ```
 */
export const CACHE_ERROR_CODES = defineErrorCodes('FW_CACHE_', {
  FW_CACHE_CONFIG:
    'The cache or its Redis connection was configured wrongly; the message names the option and a valid value.',
  FW_CACHE_UNSERIALIZABLE:
    'A value cannot be stored by the configured serializer; convert it to plain data, or use the msgpack serializer.',
  FW_CACHE_INVALID_ARGUMENT: 'A cache method was called with an argument it cannot use; pass what the message says.',
  FW_CACHE_UNAVAILABLE:
    'The cache store (Redis) did not answer and the cache is strict (503 with Retry-After); retry after Retry-After, or make the cache non-strict to serve misses.',
  FW_CACHE_REDIS_UNAVAILABLE:
    'A Redis command was refused without being sent: the connection is down, never came up, or its circuit breaker is open (503 with Retry-After); check that Redis is reachable, and retry after Retry-After.',
});

/**
 * One of `CACHE_ERROR_CODES`' keys.
 *
 * @example
 * ```ts
 * const code: CacheErrorCode = 'FW_CACHE_CONFIG';
 * ```
 */
export type CacheErrorCode = keyof typeof CACHE_ERROR_CODES;

/**
 * A misuse of the cache (bad options, a value the serializer cannot store): a bug in the app, with
 * a message that says what to change.
 *
 * @example
 * ```ts
 * try { await cache.set('k', () => 1); } catch (error) { if (isFrameworkError(error, CACHE_ERROR_CODES)) console.error(error.message); }
 * ```
 */
export class CacheError extends FrameworkError<CacheErrorCode> {
  constructor(code: CacheErrorCode, message: string) {
    super(code, message);
    this.name = 'CacheError';
  }
}

/**
 * Thrown by a `strict` cache when its store (Redis) fails; answered 503 with `Retry-After` (1 s, or
 * until the connection's breaker checks Redis again) when it escapes a handler. A cache that is not
 * strict never throws it: reads miss and writes are dropped.
 *
 * @example
 * ```ts
 * const cache = createCache({ store: 'redis', strict: true });
 * await cache.get('k'); // throws CacheUnavailableError while Redis is down
 * ```
 */
export class CacheUnavailableError extends ServiceUnavailableError {
  constructor(operation: string, cause: unknown, retryAfter = 1) {
    super(`The cache did not answer (${operation}); retry shortly (in ${retryAfter} s).`, {
      code: 'FW_CACHE_UNAVAILABLE',
      cause,
      expose: true,
      headers: { 'retry-after': String(retryAfter) },
    });
    this.name = 'CacheUnavailableError';
  }
}

/**
 * What a Redis command of the cache or of `RedisRateLimitStore` fails with at once, without being
 * sent: the connection is down, never came up within its connect timeout, or Redis stopped
 * answering and the connection's circuit breaker is open. A 503 with `Retry-After`
 * (`retryAfter` seconds), code `FW_CACHE_REDIS_UNAVAILABLE`; the rate limiter applies its
 * fail-open/failClosed policy to it.
 *
 * @example
 * ```ts
 * try { await store.increment('k', 60_000); } catch (error) { if (isHttpError(error) && error.code === 'FW_CACHE_REDIS_UNAVAILABLE') console.log(error.headers['retry-after']); }
 * ```
 */
export class RedisUnavailableError extends ServiceUnavailableError {
  /** Seconds after which Redis is checked again. */
  readonly retryAfter: number;
  constructor(reason: string, retryAfter: number) {
    super(`Redis is not available (${reason}); retry in ${retryAfter} s.`, {
      code: 'FW_CACHE_REDIS_UNAVAILABLE',
      expose: false,
      headers: { 'retry-after': String(retryAfter) },
      // The connection's guard logs the outage once at loss and once at recovery, not once per request.
      log: false,
    });
    this.name = 'RedisUnavailableError';
    this.retryAfter = retryAfter;
  }
}
