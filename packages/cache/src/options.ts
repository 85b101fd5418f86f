import type { Duration, Logger } from '@framework/core';
import type { RedisConnectionOptions } from './redis-connection.ts';
import type { CompressOption, SerializerName } from './serializer.ts';
import type { CacheStore } from './store/types.ts';

/**
 * One tier of a two-tier cache: memory in front, Redis behind.
 *
 * @example
 * ```ts
 * const tiers: [MemoryTier, RedisTier] = [{ store: 'memory', ttl: 60, maxSize: '100MB' }, { store: 'redis', ttl: 3600 }];
 * ```
 */
export interface MemoryTier {
  store: 'memory';
  /** Seconds (a bare number) or a string with a unit (`'1m'`): the longest an entry stays in this tier. */
  ttl?: Duration;
  /** `'100MB'` or bytes. Default `'64MB'`. */
  maxSize?: number | string;
}

/** The Redis tier of a two-tier cache (see `MemoryTier`). @example `{ store: 'redis', ttl: 3600 }` */
export interface RedisTier {
  store: 'redis';
  /** Seconds (a bare number) or a string with a unit (`'1h'`): the longest an entry stays in this tier. */
  ttl?: Duration;
}

/**
 * Options of `createCache` and of the `cache()` plugin.
 *
 * @example
 * ```ts
 * createCache({ store: 'redis', ttl: 3600, prefix: 'myapp:', serializer: 'msgpack', compress: true });
 * ```
 */
export interface CacheOptions {
  /**
   * `'memory'` (in-process, bounded), `'redis'`, or a store object. Default: `'redis'` when a
   * connection is configured (`redis` or `REDIS_URL`), else `'memory'`, so an app needs no server
   * to start. Ignored when `tiers` is given.
   */
  store?: 'memory' | 'redis' | CacheStore;
  /**
   * Seconds (a bare number, as in `ttl: 3600`) or a string with a unit (`'1h'`): how
   * long an entry lives unless `set` says otherwise; `0` for no expiry. Default 3600 (one hour).
   */
  ttl?: Duration;
  /** Put in front of every key, so the cache can share a Redis with other data. Default `'cache:'`. */
  prefix?: string;
  /** How Redis values are encoded. Default `'json'`. */
  serializer?: SerializerName;
  /** Deflate Redis values above 1 KiB (`true`) or above `threshold` bytes. Default `false`. */
  compress?: CompressOption;
  /** Memory in front of Redis; writes on any instance evict the memory tier everywhere. */
  tiers?: readonly [MemoryTier, RedisTier];
  /** The memory store's bound (`'100MB'` or bytes). Default `'64MB'`. */
  maxSize?: number | string;
  /** The Redis connection: URL, ioredis options, `{ cluster }`, or a client. Default `REDIS_URL`. */
  redis?: RedisConnectionOptions;
  /**
   * Throw `CacheUnavailableError` (503) when Redis fails, instead of treating reads as misses and
   * dropping writes. Default `false`.
   */
  strict?: boolean;
  /** Seconds (a bare number) or a string with a unit (`'10s'`): how long `wrap` holds its cross-process lock while computing a missing value. Default 10. */
  lockTimeout?: Duration;
  /** Where failures are logged. Default: JSON lines on stderr. */
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Environment to read `REDIS_URL` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Milliseconds (a bare number, as ioredis counts it) or a string with a unit (`'5s'`): how long
   * commands issued before Redis is first connected wait for it (then they fail: a miss, a dropped
   * write, or 503 when strict); the `cache()` plugin's start waits as long. Also ioredis's
   * `connectTimeout`. Default 5 s.
   */
  connectTimeout?: Duration;
}

/**
 * Options of `set`.
 *
 * @example
 * ```ts
 * await cache.set('post:1', post, { ttl: 600, tags: ['posts', 'user:123'] });
 * ```
 */
export interface SetOptions {
  /** Seconds (a bare number) or a string with a unit (`'10m'`): how long the entry lives; `0` for no expiry. Default: the cache's `ttl`. */
  ttl?: Duration;
  /** Tags for `invalidateTags`. */
  tags?: readonly string[];
}

/**
 * Options of `wrap`.
 *
 * @example
 * ```ts
 * await cache.wrap('stats', computeStats, { ttl: 60, staleWhileRevalidate: 300 });
 * ```
 */
export interface WrapOptions extends SetOptions {
  /**
   * Seconds (a bare number) or a string with a unit (`'5m'`) after `ttl` during which the old value
   * is still returned at once while one refresh runs in the background. Default 0 (a value past its
   * TTL is a miss).
   */
  staleWhileRevalidate?: Duration;
}

/**
 * Options of `memoize`.
 *
 * @example
 * ```ts
 * cache.memoize(loadUser, { ttl: 600, key: (id) => `user:${id}` });
 * ```
 */
export interface MemoizeOptions<A extends unknown[]> extends WrapOptions {
  /** The cache key for a call's arguments. Default: the function's name (or a hash of its source) and the arguments as JSON. */
  key?: (...args: A) => string;
}

/**
 * Counters since the cache was created: what `cache.stats()` returns.
 *
 * @example
 * ```ts
 * const { hits, misses, errors } = cache.stats();
 * ```
 */
export interface CacheStats {
  readonly store: string;
  readonly hits: number;
  readonly misses: number;
  readonly writes: number;
  /** Store failures (Redis down or slow) absorbed as misses or dropped writes. */
  readonly errors: number;
  /** `wrap` calls that waited for a value another caller was computing, instead of computing it again. */
  readonly coalesced: number;
}

/**
 * What the db package's query cache needs (its `QueryCacheStore`), with TTLs in milliseconds. With
 * `tagVersions` (on stores that version tags), a result is stored only if none of its tags was
 * invalidated, in any process, since the versions passed to `set` were read.
 *
 * @example
 * ```ts
 * const store: QueryStore = cache.queryStore();
 * const versions = await store.tagVersions?.(['users']);
 * await store.set('db:q1', rows, { ttl: 60_000, tags: ['users'], ...(versions === undefined ? {} : { versions }) });
 * ```
 */
export interface QueryStore {
  get(key: string): Promise<unknown>;
  set(
    key: string,
    value: unknown,
    options: { ttl: number; tags: readonly string[]; versions?: readonly number[] },
  ): Promise<void>;
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** The tags' current versions, to pass to `set` as `versions`. Absent on a store without versions. */
  tagVersions?(tags: readonly string[]): Promise<readonly number[]>;
}
