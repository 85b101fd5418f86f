import { ServiceUnavailableError } from '@framework/core';

/**
 * The codes of @framework/cache's errors, each with what it means.
 *
 * @example
 * ```ts
 * if (error instanceof CacheError && error.code === 'FW_CACHE_CONFIG') console.error(CACHE_ERROR_CODES[error.code]);
 * ```
 */
export const CACHE_ERROR_CODES = {
  FW_CACHE_CONFIG: 'The cache or its Redis connection was configured wrongly.',
  FW_CACHE_UNSERIALIZABLE: 'A value cannot be stored by the configured serializer.',
  FW_CACHE_INVALID_ARGUMENT: 'A cache method was called with an argument it cannot use.',
  FW_CACHE_UNAVAILABLE: 'The cache store (Redis) did not answer and the cache is strict.',
} as const;

/** One of `CACHE_ERROR_CODES`' keys. */
export type CacheErrorCode = keyof typeof CACHE_ERROR_CODES;

/**
 * A misuse of the cache (bad options, a value the serializer cannot store): a bug in the app, with
 * a message that says what to change.
 *
 * @example
 * ```ts
 * try { await cache.set('k', () => 1); } catch (error) { if (error instanceof CacheError) console.error(error.message); }
 * ```
 */
export class CacheError extends Error {
  readonly code: CacheErrorCode;
  constructor(code: CacheErrorCode, message: string) {
    super(message);
    this.name = 'CacheError';
    this.code = code;
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
 * (`retryAfter` seconds); the rate limiter applies its fail-open/failClosed policy to it.
 *
 * @example
 * ```ts
 * try { await store.increment('k', 60_000); } catch (error) { if (error instanceof RedisUnavailableError) console.log(error.retryAfter); }
 * ```
 */
export class RedisUnavailableError extends ServiceUnavailableError {
  /** Seconds after which Redis is checked again. */
  readonly retryAfter: number;
  constructor(reason: string, retryAfter: number) {
    super(`Redis is not available (${reason}); retry in ${retryAfter} s.`, {
      code: 'FW_ERR_DEPENDENCY_UNAVAILABLE',
      expose: false,
      headers: { 'retry-after': String(retryAfter) },
      // The connection's guard logs the outage once at loss and once at recovery, not once per request.
      log: false,
    });
    this.name = 'RedisUnavailableError';
    this.retryAfter = retryAfter;
  }
}
