import { type Duration, parseDuration } from '@framework/core';
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types';
import { QueryError } from '../errors.ts';
import { cachedRuns } from './query-cache.ts';

/**
 * Options of `query.cache(ttl, options)` (named `CacheOptions` before; renamed so it does not
 * clash with @framework/cache's `CacheOptions`, the options of `createCache()`).
 *
 * @example
 * ```ts
 * const active = await db.users.where({ active: true }).cache('5m', { key: 'active-users', tags: ['users'] });
 * ```
 */
export interface CachedQueryOptions {
  /**
   * The entry's key. Default: a hash of the SQL and its parameters, so each distinct query has
   * its own entry. With a key, every query cached under it shares one entry: give each its own key.
   */
  key?: string;
  /** Tags besides the tables the query reads (always tags), for `db.invalidate(tags)`. */
  tags?: readonly string[];
}

/**
 * Runs the query through drizzle with a cache config; `first` adds `limit 1`.
 *
 * @example
 * ```ts
 * const load: CachedLoader<User> = (first, config) => (first ? query.limit(1) : query).$withCache(config).execute();
 * ```
 */
export type CachedLoader<Row> = (first: boolean, config: WithCacheConfig) => Promise<Row[]>;

/**
 * A query whose result is served from the query cache while fresh: awaited (or `get()`, `all()`,
 * `first()`), it returns the cached rows when present, else runs and stores them. Writes through
 * the models to any table it reads (and `db.invalidate()` of any of its tags) drop the entry.
 *
 * @example
 * ```ts
 * const users = await db.users.where({ country: 'FI' }).cache('5m');
 * const ada = await db.users.where({ email: 'ada@example.com' }).cache(30, { tags: ['profiles'] }).first(); // 30 seconds
 * ```
 */
export class CachedQuery<Row> implements PromiseLike<Row[]> {
  private readonly load: CachedLoader<Row>;
  private readonly ttl: number;
  private readonly options: CachedQueryOptions;

  /** `ttl`: seconds as a bare number (like @framework/cache's `ttl`), or a string with a unit (`'5m'`). */
  constructor(load: CachedLoader<Row>, ttl: Duration, options: CachedQueryOptions = {}) {
    this.load = load;
    this.ttl = parseDuration(ttl, 'cache() ttl', 's');
    if (options.key !== undefined && options.key === '') {
      throw new QueryError(
        'FW_DB_BAD_CACHE_KEY',
        'cache() key must be a non-empty string; omit it to key by the query.',
      );
    }
    this.options = options;
  }

  private config(suffix: string): WithCacheConfig {
    // drizzle passes `config` through to the cache untouched: the explicit tags ride along with the TTL.
    const config = { px: this.ttl, tags: [...(this.options.tags ?? [])] };
    const key = this.options.key;
    return { enable: true, autoInvalidate: true, tag: key === undefined ? undefined : key + suffix, config };
  }

  /** Runs the query with its explicit tags in reach of the query cache (drizzle's `get` lacks them). */
  private run(first: boolean, suffix: string): Promise<Row[]> {
    return cachedRuns.run({ tags: this.options.tags ?? [] }, () => this.load(first, this.config(suffix)));
  }

  /** Every row, from the cache when fresh. */
  get(): Promise<Row[]> {
    return this.run(false, '');
  }

  /** Same as `get()`. */
  all(): Promise<Row[]> {
    return this.get();
  }

  /** The first row or `null`, from the cache when fresh (cached apart from `get()`: key `<key>#first`). */
  async first(): Promise<Row | null> {
    const rows = await this.run(true, '#first');
    return rows[0] ?? null;
  }

  // biome-ignore lint/suspicious/noThenProperty: awaited directly, like the query it caches.
  then<A = Row[], B = never>(
    onfulfilled?: ((value: Row[]) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.get().then(onfulfilled, onrejected);
  }
}
