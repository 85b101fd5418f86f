import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkOptions,
  createLogger,
  type Duration,
  type KnownOptions,
  type Logger,
  parseDuration,
} from '@framework/core';
import { Cluster } from 'ioredis';
import { CacheError, CacheUnavailableError, RedisUnavailableError } from './errors.ts';
import { escapeGlob } from './internal/glob.ts';
import type {
  CacheOptions,
  CacheStats,
  MemoizeOptions,
  MemoryTier,
  QueryStore,
  RedisTier,
  SetOptions,
  WrapOptions,
} from './options.ts';
import { closeRedis, createRedis, isOutage, type RedisClient, redisGuard } from './redis-connection.ts';
import { MemoryCacheStore } from './store/memory.ts';
import { RedisCacheStore } from './store/redis.ts';
import { TieredStore } from './store/tiered.ts';
import type { CacheStore, StoredEntry, StoreSetOptions } from './store/types.ts';

const LOG_EVERY_MS = 10_000;

/**
 * Every key of `CacheOptions`, for `checkOptions` (the plugin checks its options with it too).
 *
 * @example
 * ```ts
 * checkOptions('cache()', options, CACHE_OPTIONS);
 * ```
 */
export const CACHE_OPTIONS: KnownOptions<CacheOptions> = {
  store: true,
  ttl: true,
  prefix: true,
  serializer: true,
  compress: true,
  tiers: true,
  maxSize: true,
  redis: true,
  strict: true,
  lockTimeout: true,
  logger: true,
  env: true,
  connectTimeout: true,
};
const MEMORY_TIER: KnownOptions<MemoryTier> = { store: true, ttl: true, maxSize: true };
const REDIS_TIER: KnownOptions<RedisTier> = { store: true, ttl: true };
const COMPRESS: KnownOptions<{ threshold?: number }> = { threshold: true };
const SET_OPTIONS: KnownOptions<SetOptions> = { ttl: true, tags: true };
const WRAP_OPTIONS: KnownOptions<WrapOptions> = { ttl: true, tags: true, staleWhileRevalidate: true };
const MEMOIZE_OPTIONS: KnownOptions<MemoizeOptions<unknown[]>> = { ...WRAP_OPTIONS, key: true };
/** The default of per-call options: not checked (nothing to check). */
const NO_OPTIONS: WrapOptions = Object.freeze({});
const INCREMENT_OPTIONS: KnownOptions<{ ttl?: Duration }> = { ttl: true };

/**
 * What the write of a computed value depends on: its tags' versions, read before it was computed.
 * `undefined`: nothing to check (no tags, or a store without versions), written as it is; `null`:
 * they could not be read, so nothing shows the value is current, and it is not written.
 */
type ReadVersions = readonly number[] | undefined | null;

/** What the db package's query cache passes to `queryStore().set`: `versions` with a store that has them. */
type QuerySetOptions = { ttl: number; tags: readonly string[]; versions?: readonly number[] };

const ignore = (): void => {};

/**
 * Checks a per-call options object: a plain loop with no allocation on the good path; on an
 * unknown key, `checkOptions` throws with "did you mean".
 */
function checkCallOptions<T extends object>(where: string, options: T, known: KnownOptions<T>): void {
  for (const key in options) {
    if (!Object.hasOwn(known, key)) checkOptions(where, options, known);
  }
}

/**
 * A cache: `get`/`set`/`delete`, tags, patterns, counters, `wrap` with single flight, `memoize`,
 * over a memory store, Redis, or memory in front of Redis. Made by `createCache` or the `cache()`
 * plugin (`ctx.cache`).
 *
 * When Redis fails, reads are misses and writes are dropped (logged once per outage and counted in
 * `stats().errors`), so requests keep being served from the source of truth; `strict: true` throws
 * `CacheUnavailableError` (503) instead.
 *
 * @example
 * ```ts
 * const cache = createCache();
 * await cache.set('user:123', { name: 'Ada' }, { ttl: 600 });
 * const user = await cache.get<{ name: string }>('user:123');
 * ```
 */
export class Cache {
  /** The store behind the cache. */
  readonly store: CacheStore;
  readonly prefix: string;
  /** The Redis connection the cache opened (closed by `close()`), or the one it was given. */
  readonly redis: RedisClient | undefined;
  private readonly ttl: number;
  private readonly strict: boolean;
  private readonly lockMs: number;
  private readonly logger: Pick<Logger, 'warn' | 'info'>;
  private readonly owned: RedisClient[] = [];
  private readonly flights = new Map<string, Promise<unknown>>();
  private counters = { hits: 0, misses: 0, writes: 0, errors: 0, coalesced: 0 };
  private lastLog = 0;
  private suppressed = 0;

  constructor(options: CacheOptions = {}) {
    checkOptions('createCache()', options, CACHE_OPTIONS);
    if (typeof options.compress === 'object' && options.compress !== null) {
      checkOptions('createCache() compress', options.compress, COMPRESS);
    }
    this.prefix = options.prefix ?? 'cache:';
    this.ttl = seconds(options.ttl ?? 3600, 'ttl');
    this.strict = options.strict ?? false;
    this.lockMs = seconds(options.lockTimeout ?? 10, 'lockTimeout');
    this.logger = options.logger ?? createLogger();
    const env = options.env ?? process.env;
    const connection = options.redis ?? (env.REDIS_URL || undefined);
    const wantsRedis = options.tiers !== undefined || options.store === 'redis';
    if (wantsRedis && connection === undefined) {
      throw new CacheError(
        'FW_CACHE_CONFIG',
        "The cache's Redis store needs a connection: set REDIS_URL (e.g. redis://127.0.0.1:6379) or pass redis: 'redis://...', or use store: 'memory'.",
      );
    }
    if (typeof options.store === 'object') {
      this.store = options.store;
      this.redis = undefined;
      return;
    }
    const useRedis = wantsRedis || (options.store === undefined && connection !== undefined);
    if (!useRedis || connection === undefined) {
      this.store = new MemoryCacheStore({ maxSize: options.maxSize });
      this.redis = undefined;
      return;
    }
    const connectTimeout = options.connectTimeout === undefined ? undefined : connectMs(options.connectTimeout);
    // Everything that can be refused is checked before a connection is opened (none is left behind).
    let tiers: { memory: MemoryTier; l1Ttl: number; l2Ttl: number } | undefined;
    if (options.tiers !== undefined) {
      const [memory, remote] = options.tiers;
      if (memory?.store !== 'memory' || remote?.store !== 'redis') {
        throw new CacheError(
          'FW_CACHE_CONFIG',
          "tiers must be [{ store: 'memory', ... }, { store: 'redis', ... }]: memory in front of Redis.",
        );
      }
      checkOptions('createCache() tiers[0]', memory, MEMORY_TIER);
      checkOptions('createCache() tiers[1]', remote, REDIS_TIER);
      tiers = {
        memory,
        l1Ttl: seconds(memory.ttl ?? 0, 'tiers[0].ttl'),
        l2Ttl: seconds(remote.ttl ?? 0, 'tiers[1].ttl'),
      };
    }
    const redis = createRedis(
      connection,
      this.logger,
      connectTimeout === undefined ? {} : { connectTimeout: connectTimeout },
    );
    if (redis !== connection) this.owned.push(redis);
    // A client given as it is: the guard may exist already (another cache, a rate-limit store); give it our logger.
    redisGuard(redis, { logger: this.logger, connectTimeout });
    this.redis = redis;
    let l2: RedisCacheStore;
    let l1: MemoryCacheStore | undefined;
    try {
      l2 = new RedisCacheStore(redis, { serializer: options.serializer, compress: options.compress });
      if (tiers !== undefined) l1 = new MemoryCacheStore({ maxSize: tiers.memory.maxSize ?? options.maxSize });
    } catch (error) {
      for (const client of this.owned) client.disconnect();
      throw error;
    }
    if (tiers === undefined || l1 === undefined) {
      this.store = l2;
      return;
    }
    // The subscription connection sends one SUBSCRIBE and then only listens: it queues that command
    // until connected, and waits for its answer without a timeout (a timed-out SUBSCRIBE could still
    // take effect later, unnoticed); `ready()` bounds the wait for it.
    const subscriber =
      redis instanceof Cluster
        ? redis.duplicate(undefined, { enableOfflineQueue: true, redisOptions: { commandTimeout: undefined } })
        : redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
    this.owned.push(subscriber);
    subscriber.on('error', () => {});
    this.store = new TieredStore(l1, l2, {
      channel: `${this.prefix}#evict`,
      l1Ttl: tiers.l1Ttl,
      l2Ttl: tiers.l2Ttl,
      subscriber,
      logger: this.logger,
    });
  }

  /**
   * Resolves once the cache can reach its store (Redis connected, evictions subscribed), or after
   * `timeout` (milliseconds, or a string with a unit: `'5s'`) with `false`: the cache works
   * meanwhile, serving misses.
   *
   * @example
   * ```ts
   * if (!(await cache.ready())) console.warn('Redis is not there yet; serving from the database');
   * ```
   */
  async ready(wait: Duration = '5s'): Promise<boolean> {
    if (this.redis === undefined) return true;
    const timeout = parseDuration(wait, 'cache.ready() timeout');
    const started = Date.now();
    const ready = await redisGuard(this.redis).ready(timeout);
    if (!ready || !(this.store instanceof TieredStore)) return ready;
    const left = Math.max(0, timeout - (Date.now() - started));
    return Promise.race([this.store.subscribed.then(() => true), sleep(left, false, { ref: false })]);
  }

  /**
   * The value stored under `key`, or `undefined` on a miss (or while Redis is down).
   *
   * @example
   * ```ts
   * const user = await cache.get<User>('user:123');
   * ```
   */
  get<T = unknown>(key: string): Promise<T | undefined> {
    let pending: ReturnType<CacheStore['get']>;
    try {
      pending = this.store.get(this.prefix + key);
    } catch (error) {
      return this.missAfter<T>(error);
    }
    // One promise step on the hit path, not an async function around an await.
    return Promise.resolve(pending).then(
      (entry) => this.counted<T>(entry),
      (error: unknown) => this.missAfter<T>(error),
    );
  }

  private counted<T>(entry: StoredEntry | undefined): T | undefined {
    if (entry === undefined) {
      this.counters.misses++;
      return undefined;
    }
    this.counters.hits++;
    return entry.value as T;
  }

  private missAfter<T>(error: unknown): Promise<T | undefined> {
    try {
      this.failed('get', error);
    } catch (thrown) {
      return Promise.reject(thrown);
    }
    this.counters.misses++;
    return Promise.resolve(undefined);
  }

  /**
   * Stores `value` (anything the serializer takes; not `undefined`) for `ttl` seconds.
   *
   * @example
   * ```ts
   * await cache.set('post:1', post, { ttl: 600, tags: ['posts'] });
   * ```
   */
  async set(key: string, value: unknown, options: SetOptions = NO_OPTIONS): Promise<void> {
    if (options !== NO_OPTIONS) checkCallOptions('cache.set()', options, SET_OPTIONS);
    await this.write(key, value, options, Number.POSITIVE_INFINITY, 0);
  }

  /**
   * Deletes one key, or several; resolves to whether (one key) or how many (several) existed.
   * A `wrap` computing the key right now may still store its result afterward: to drop a computed
   * value because its data changed, tag it and use `invalidateTags`, which stops that write too.
   *
   * @example
   * ```ts
   * await cache.delete('user:123'); // true
   * ```
   */
  delete(key: string): Promise<boolean>;
  delete(keys: readonly string[]): Promise<number>;
  async delete(keys: string | readonly string[]): Promise<boolean | number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    let deleted = 0;
    try {
      deleted = await this.store.delete(list.map((key) => this.prefix + key));
    } catch (error) {
      this.failed('delete', error);
    }
    return typeof keys === 'string' ? deleted > 0 : deleted;
  }

  /**
   * Whether `key` holds a live entry.
   *
   * @example
   * ```ts
   * if (await cache.has('report:2026')) return;
   * ```
   */
  async has(key: string): Promise<boolean> {
    try {
      return await this.store.has(this.prefix + key);
    } catch (error) {
      this.failed('has', error);
      return false;
    }
  }

  /**
   * Deletes every entry set with any of `tags` (one atomic script on Redis), and stops a `wrap`
   * of a value with any of these tags that is being computed right now (in any process) from
   * storing it: it started before the change, so its value may not show it.
   *
   * @example
   * ```ts
   * await cache.invalidateTags(['posts']);
   * ```
   */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    try {
      await this.store.invalidateTags(tags.map((tag) => this.tagKey(tag)));
    } catch (error) {
      this.failed('invalidateTags', error);
    }
  }

  /**
   * Deletes the keys matching a glob (`users:*`, `session:?`, `[ab]:*`), walking Redis with `SCAN`
   * and deleting in batches with `UNLINK`, never `KEYS`; resolves to how many were deleted.
   *
   * @example
   * ```ts
   * await cache.deletePattern('users:*');
   * ```
   */
  async deletePattern(pattern: string): Promise<number> {
    try {
      return await this.store.deletePattern(escapeGlob(this.prefix) + pattern);
    } catch (error) {
      this.failed('deletePattern', error);
      return 0;
    }
  }

  /**
   * Adds `by` (default 1) to the integer under `key`, atomically (INCRBY on Redis), and resolves to
   * the new value; a missing key counts from 0 and gets `ttl` seconds (default: none). While Redis
   * is down it resolves to `undefined`.
   *
   * @example
   * ```ts
   * const views = await cache.increment('page-views');
   * ```
   */
  async increment(key: string, by = 1, options: { ttl?: Duration } = NO_OPTIONS): Promise<number | undefined> {
    if (options !== NO_OPTIONS) checkCallOptions('cache.increment()', options, INCREMENT_OPTIONS);
    if (!Number.isSafeInteger(by)) {
      throw new CacheError('FW_CACHE_INVALID_ARGUMENT', `increment/decrement take an integer step, got ${by}.`);
    }
    const ttl = seconds(options.ttl ?? 0, 'ttl');
    try {
      return await this.store.increment(this.prefix + key, by, ttl);
    } catch (error) {
      this.failed('increment', error);
      return undefined;
    }
  }

  /**
   * Subtracts `by` (default 1) from the integer under `key`, atomically; see `increment`.
   *
   * @example
   * ```ts
   * const left = await cache.decrement('available-tickets');
   * ```
   */
  decrement(key: string, by = 1, options: { ttl?: Duration } = {}): Promise<number | undefined> {
    return this.increment(key, -by, options);
  }

  /**
   * Cache-aside: the value under `key`, or `fn()`'s result, stored for `ttl` seconds. Concurrent
   * misses for one key run `fn` once in this process and, on Redis, once across processes (a short
   * lock; the others wait for its value). An error from `fn` is not cached and reaches every caller
   * waiting on it. With `staleWhileRevalidate`, a value past its TTL is returned at once while one
   * refresh runs in the background. With `tags`, a value whose tags are invalidated while `fn` runs
   * is returned to its callers but not stored (it may predate the change); the next call computes it
   * again.
   *
   * @example
   * ```ts
   * const user = await cache.wrap(`user:${id}`, () => db.users.find(id), { ttl: 300 });
   * ```
   */
  wrap<T>(key: string, fn: () => T | Promise<T>, options: WrapOptions = NO_OPTIONS): Promise<T> {
    if (options !== NO_OPTIONS) {
      try {
        checkCallOptions('cache.wrap()', options, WRAP_OPTIONS);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const fullKey = this.prefix + key;
    let pending: ReturnType<CacheStore['get']>;
    try {
      pending = this.store.get(fullKey);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return Promise.resolve(pending).then(
      (entry) =>
        entry === undefined ? this.missed(key, fullKey, fn, options) : this.hit(entry, key, fullKey, fn, options),
      (error: unknown) => {
        this.failed('get', error);
        return this.missed(key, fullKey, fn, options);
      },
    );
  }

  private hit<T>(entry: StoredEntry, key: string, fullKey: string, fn: () => T | Promise<T>, options: WrapOptions): T {
    this.counters.hits++;
    if (entry.freshUntil !== Number.POSITIVE_INFINITY && entry.freshUntil <= Date.now()) {
      this.flight(`${fullKey}#refresh`, () => this.refresh(key, fn, options)).catch((error: unknown) => {
        this.logger.warn(
          { key, err: error },
          'a stale-while-revalidate refresh failed; the stale value stays until it expires',
        );
      });
    }
    return entry.value as T;
  }

  private missed<T>(key: string, fullKey: string, fn: () => T | Promise<T>, options: WrapOptions): Promise<T> {
    this.counters.misses++;
    return this.flight(fullKey, () => this.compute(key, fn, options));
  }

  /**
   * `fn` with its results cached by arguments: `memoize(fn, { ttl })(a, b)` is
   * `wrap(key(a, b), () => fn(a, b), { ttl })`.
   *
   * @example
   * ```ts
   * const expensive = cache.memoize(async (a: string, b: number) => compute(a, b), { ttl: 600 });
   * await expensive('x', 1);
   * ```
   */
  memoize<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    options: MemoizeOptions<A> = {},
  ): (...args: A) => Promise<R> {
    checkOptions('cache.memoize()', options, MEMOIZE_OPTIONS);
    const id = fn.name || createHash('sha1').update(fn.toString()).digest('base64url').slice(0, 12);
    const { key, ...wrapOptions } = options;
    const keyOf = key ?? ((...args: A) => `memo:${id}:${argumentsKey(args)}`);
    return (...args: A) => this.wrap<R>(keyOf(...args), () => fn(...args), wrapOptions);
  }

  /**
   * Deletes every entry under the cache's prefix (other data in the same Redis is left alone).
   *
   * @example
   * ```ts
   * await cache.clear();
   * ```
   */
  async clear(): Promise<void> {
    try {
      await this.store.clear(this.prefix);
    } catch (error) {
      this.failed('clear', error);
    }
  }

  /**
   * Counters since the cache was created.
   *
   * @example
   * ```ts
   * const { hits, misses } = cache.stats();
   * const hitRate = hits / (hits + misses);
   * ```
   */
  stats(): CacheStats {
    return { store: this.store.kind, ...this.counters };
  }

  /**
   * This cache as the db package's query cache store: `createDatabase({ cache: cache.queryStore() })`.
   *
   * @example
   * ```ts
   * const db = await createDatabase({ schema, cache: cache.queryStore() });
   * ```
   */
  queryStore(): QueryStore {
    const store: QueryStore = {
      get: (key) => this.get(key),
      // With `versions` (read by `tagVersions` before the query ran), the store writes only if no
      // tag was invalidated since, in any process: the same check as a tagged `wrap`.
      set: (key, value, { ttl, tags, versions }: QuerySetOptions) =>
        this.write(key, value, { tags }, Number.POSITIVE_INFINITY, 0, ttl, versions),
      invalidateTags: (tags) => this.invalidateTags(tags),
    };
    const read = this.store.tagVersions?.bind(this.store);
    if (read === undefined) return store;
    // A rejection reaches the db package, which then does not store the result.
    return { ...store, tagVersions: async (tags) => read(tags.map((tag) => this.tagKey(tag))) };
  }

  /**
   * Closes the store and the Redis connections the cache opened (not a client you passed in).
   *
   * @example
   * ```ts
   * app.onClose(() => cache.close());
   * ```
   */
  async close(): Promise<void> {
    await this.store.close();
    await Promise.all(this.owned.map((client) => closeRedis(client)));
  }

  /** A miss: wait for the value if another process holds the key's lock, else load it. */
  private async compute<T>(key: string, fn: () => T | Promise<T>, options: WrapOptions): Promise<T> {
    // Sent along with the lock's SET NX (pipelined on the connection): no round trip of its own.
    const versions = this.readVersions(options);
    const lock = await this.tryLock(key);
    if (lock.heldElsewhere) {
      const value = await this.waitForValue<T>(this.prefix + key, this.lockKey(key));
      if (value !== undefined) return value;
      // Read again: an invalidation while waiting would otherwise drop this write for nothing.
      return this.load(key, fn, options, lock.release, this.readVersions(options));
    }
    return this.load(key, fn, options, lock.release, versions);
  }

  /** The tags' versions before `fn` runs; never a rejection left unhandled (strict mode rejects). */
  private readVersions(options: WrapOptions): ReadVersions | Promise<ReadVersions> {
    const { tags } = options;
    if (tags === undefined || tags.length === 0 || this.store.tagVersions === undefined) return undefined;
    let pending: ReturnType<NonNullable<CacheStore['tagVersions']>>;
    try {
      pending = this.store.tagVersions(tags.map((tag) => this.tagKey(tag)));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const read = Promise.resolve(pending).then(
      (versions): ReadVersions => versions,
      (error: unknown): ReadVersions => {
        this.failed('get', error);
        return null;
      },
    );
    read.catch(ignore);
    return read;
  }

  private lockKey(key: string): string {
    return `${this.prefix}#lock:${key}`;
  }

  /** A stale hit: refresh in the background, unless another process is already refreshing it. */
  private async refresh<T>(key: string, fn: () => T | Promise<T>, options: WrapOptions): Promise<void> {
    const versions = this.readVersions(options);
    const lock = await this.tryLock(key);
    if (!lock.heldElsewhere) await this.load(key, fn, options, lock.release, versions);
  }

  private async tryLock(key: string): Promise<{ heldElsewhere: boolean; release?: () => Promise<void> }> {
    if (this.store.lock === undefined) return { heldElsewhere: false };
    try {
      const release = await this.store.lock(this.lockKey(key), this.lockMs);
      return { heldElsewhere: release === undefined, release };
    } catch (error) {
      this.failed('lock', error);
      return { heldElsewhere: false };
    }
  }

  private async load<T>(
    key: string,
    fn: () => T | Promise<T>,
    options: WrapOptions,
    release: (() => Promise<void>) | undefined,
    pendingVersions: ReadVersions | Promise<ReadVersions>,
  ): Promise<T> {
    try {
      // Read (answered) before fn starts: an invalidation after this moves a version, so the write
      // below is dropped if fn may have read the data before the change.
      const versions = await pendingVersions;
      const value = await fn();
      if (value !== undefined) {
        const stale = seconds(options.staleWhileRevalidate ?? 0, 'staleWhileRevalidate');
        const ttl = options.ttl === undefined ? this.ttl : seconds(options.ttl, 'ttl');
        const freshUntil = stale > 0 && ttl > 0 ? Date.now() + ttl : Number.POSITIVE_INFINITY;
        await this.write(key, value, options, freshUntil, stale, undefined, versions);
      }
      return value;
    } finally {
      if (release !== undefined) await release().catch((error: unknown) => this.failed('unlock', error, true));
    }
  }

  /**
   * Polls for the value another process is computing, until its lock is released or would have
   * expired. A released lock with no value means the value was written and already invalidated (a
   * write to the data it caches): waiting on would stall the request until the lock's timeout, so
   * the caller loads it itself.
   */
  private async waitForValue<T>(fullKey: string, lockKey: string): Promise<T | undefined> {
    const deadline = Date.now() + this.lockMs;
    for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 100)) {
      await sleep(delay);
      let entry: StoredEntry | undefined;
      try {
        entry = await this.store.get(fullKey);
        if (entry === undefined && !(await this.store.has(lockKey))) return undefined;
      } catch (error) {
        // Redis went away while another process held the lock: load the value here instead.
        this.failed('get', error);
        return undefined;
      }
      if (entry !== undefined) {
        this.counters.coalesced++;
        return entry.value as T;
      }
    }
    return undefined;
  }

  private flight<T>(fullKey: string, run: () => Promise<T>): Promise<T> {
    const running = this.flights.get(fullKey);
    if (running !== undefined) {
      this.counters.coalesced++;
      return running as Promise<T>;
    }
    const promise = run().finally(() => this.flights.delete(fullKey));
    this.flights.set(fullKey, promise);
    return promise;
  }

  private async write(
    key: string,
    value: unknown,
    options: SetOptions,
    freshUntil: number,
    staleMs: number,
    ttlMs?: number,
    versions?: ReadVersions,
  ): Promise<void> {
    if (versions === null) return;
    const ttl = ttlMs ?? (options.ttl === undefined ? this.ttl : seconds(options.ttl, 'ttl'));
    const tags = options.tags === undefined ? [] : options.tags.map((tag) => this.tagKey(tag));
    const stored: StoreSetOptions = { ttl: ttl === 0 ? 0 : ttl + staleMs, tags, freshUntil };
    try {
      const written = await this.store.set(this.prefix + key, value, versions ? { ...stored, versions } : stored);
      if (written !== false) this.counters.writes++;
    } catch (error) {
      this.failed('set', error);
    }
  }

  private tagKey(tag: string): string {
    return `${this.prefix}#tag:${tag}`;
  }

  /** Absorbs a store failure (or rethrows it when strict, or when it is a misuse). */
  private failed(operation: string, error: unknown, quiet = false): void {
    if (error instanceof CacheError) throw error;
    this.counters.errors++;
    const known = error instanceof RedisUnavailableError;
    if (this.strict && !quiet) throw new CacheUnavailableError(operation, error, known ? error.retryAfter : 1);
    // Redis down, hung or unreachable: its connection logs the outage, once (not each failed command).
    if (known || (this.redis !== undefined && isOutage(error))) return;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) {
      this.suppressed++;
      return;
    }
    this.logger.warn(
      { store: this.store.kind, err: error, suppressed: this.suppressed },
      `cache ${operation} failed; served as a miss (reads) or dropped (writes)`,
    );
    this.lastLog = now;
    this.suppressed = 0;
  }
}

/**
 * A cache over a memory store, Redis, or both (memory in front of Redis). See `CacheOptions`.
 *
 * @example
 * ```ts
 * import { createCache } from '@framework/cache';
 *
 * const cache = createCache({ store: 'redis', ttl: 3600, prefix: 'myapp:' });
 * const getUser = (id: number) => cache.wrap(`user:${id}`, () => db.users.find(id), { ttl: 300 });
 * ```
 */
export function createCache(options: CacheOptions = {}): Cache {
  return new Cache(options);
}

/**
 * Milliseconds from a TTL: seconds as a bare number, or a string with a unit (core's parser);
 * refuses anything else with the cache's own code.
 */
function seconds(value: Duration, option: string): number {
  try {
    return Math.round(parseDuration(value, option, 's'));
  } catch (error) {
    throw new CacheError(
      'FW_CACHE_INVALID_ARGUMENT',
      `${error instanceof Error ? error.message : String(error)} Use 0 for no expiry.`,
    );
  }
}

/** Milliseconds from `connectTimeout` (a bare number is milliseconds, as ioredis counts it); more than 0. */
function connectMs(value: Duration): number {
  let ms: number;
  try {
    ms = parseDuration(value, 'connectTimeout');
  } catch (error) {
    throw new CacheError('FW_CACHE_CONFIG', error instanceof Error ? error.message : String(error));
  }
  if (ms > 0) return ms;
  throw new CacheError('FW_CACHE_CONFIG', `connectTimeout must be more than 0 (default '5s'), got ${String(value)}.`);
}

function argumentsKey(args: readonly unknown[]): string {
  return JSON.stringify(args, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}
