import { AsyncLocalStorage } from 'node:async_hooks';
import { getTableName } from 'drizzle-orm';
import { Cache, type MutationOption } from 'drizzle-orm/cache/core';
import type { CacheConfig } from 'drizzle-orm/cache/core/types';
import { consoleLogger, type PerfLogger } from '../perf/slow-query.ts';
import { frames, markCached } from '../perf/statement-log.ts';
import { MemoryQueryCacheStore } from './memory-query-cache-store.ts';
import type { QueryCacheStore } from './query-cache-store.ts';

/**
 * The query cache's settings for `createDatabase({ cache })`. A store alone is accepted too:
 * `cache: store`.
 *
 * @example
 * ```ts
 * const db = await createDatabase({ schema, cache: { store: appCacheStore, prefix: 'db:main:' } });
 * ```
 */
export interface QueryCacheOptions {
  /** Default: a `MemoryQueryCacheStore` of `maxEntries` entries. */
  store?: QueryCacheStore;
  /** Entries of the default store. Default 1000. */
  maxEntries?: number;
  /** Put before every key, so that databases sharing a store keep apart. Default `db:`. */
  prefix?: string;
  /** Where store failures are reported. Default `console.warn`. */
  logger?: PerfLogger;
}

/** Writes whose invalidation waits: one statement until it succeeded, or a transaction until it committed. */
interface Unit {
  readonly pending: Set<string>;
  readonly transaction: boolean;
  readonly parent: Unit | undefined;
}

const units = new AsyncLocalStorage<Unit>();

/** The explicit tags a `.cache()` call adds, carried through drizzle's cache config. */
function extraTags(config: CacheConfig | undefined): string[] {
  if (config === undefined || !('tags' in config) || !Array.isArray(config.tags)) return [];
  return config.tags.filter((tag): tag is string => typeof tag === 'string');
}

/**
 * drizzle-orm's query cache (`drizzle(client, { cache })`), over a `QueryCacheStore`. Every
 * drizzle instance of a database (primary, replicas, and the transactions drizzle derives from
 * them) shares it: selects built with `.$withCache()` are looked up and stored by it, and drizzle
 * reports every insert, update and delete to `onMutate` with the tables written.
 *
 * What it adds to drizzle's own behaviour:
 * - invalidation happens after the write succeeded (after the commit inside a transaction, and
 *   not at all when the transaction rolled back), rather than while the write runs;
 * - inside a transaction, cached queries read the database and store nothing (the data may be
 *   uncommitted);
 * - a result read before an invalidation of one of its tags is not stored after it (this process only);
 * - entries carry explicit tags besides the tables (`config.tags`).
 *
 * @example
 * ```ts
 * const cache = new QueryCache({ store: new MemoryQueryCacheStore() });
 * const orm = drizzle(client, { cache });
 * const rows = await orm.select().from(users).$withCache({ config: { px: 60_000 } });
 * ```
 */
export class QueryCache extends Cache {
  readonly store: QueryCacheStore;
  private readonly prefix: string;
  private readonly logger: PerfLogger;
  /** Counts invalidations; `stamps` holds the count at each tag's latest one. */
  private clock = 0;
  private readonly stamps = new Map<string, number>();

  constructor(options: QueryCacheOptions = {}) {
    super();
    this.store = options.store ?? new MemoryQueryCacheStore({ maxEntries: options.maxEntries });
    this.prefix = options.prefix ?? 'db:';
    this.logger = options.logger ?? consoleLogger;
  }

  override strategy(): 'explicit' {
    return 'explicit';
  }

  // biome-ignore lint/suspicious/noExplicitAny: drizzle's signature; the value is whatever `put` stored.
  override async get(key: string): Promise<any[] | undefined> {
    if (units.getStore()?.transaction === true) return undefined;
    const stamp = this.clock;
    let value: unknown;
    try {
      value = await this.store.get(this.prefix + key);
    } catch (error) {
      this.logger.warn({ err: error }, 'The query cache store failed to read; the query ran against the database.');
    }
    const frame = frames.getStore();
    if (value === undefined) {
      if (frame !== undefined) frame.missedAt = stamp;
      return undefined;
    }
    markCached();
    // drizzle hands back to its result mapping exactly what the driver returned and `put` stored.
    return value as never;
  }

  override async put(key: string, response: unknown, tables: string[], _isTag: boolean, config?: CacheConfig) {
    if (units.getStore()?.transaction === true) return;
    const tags = [...new Set([...tables, ...extraTags(config)])];
    const missedAt = frames.getStore()?.missedAt;
    // An invalidation between reading the database and here would leave a stale entry: skip it.
    if (missedAt !== undefined && tags.some((tag) => (this.stamps.get(tag) ?? 0) > missedAt)) return;
    const ttl = config?.px ?? (config?.ex === undefined ? 60_000 : config.ex * 1000);
    try {
      await this.store.set(this.prefix + key, response, { ttl, tags });
    } catch (error) {
      this.logger.warn({ err: error }, 'The query cache store failed to write; the result was not cached.');
    }
  }

  override async onMutate(params: MutationOption): Promise<void> {
    const names = [params.tables ?? []]
      .flat()
      .map((table) => (typeof table === 'string' ? table : getTableName(table)));
    const tags = [...names, ...[params.tags ?? []].flat()];
    const unit = units.getStore();
    if (unit !== undefined) {
      for (const tag of tags) unit.pending.add(tag);
      return;
    }
    await this.invalidateTags(tags);
  }

  /** Invalidates now, whatever the async context. */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    this.clock += 1;
    for (const tag of tags) this.stamps.set(tag, this.clock);
    try {
      await this.store.invalidateTags(tags);
    } catch (error) {
      this.logger.warn(
        { err: error, tags },
        `The query cache store failed to invalidate ${tags.join(', ')}; cached results may be stale until their TTL ends. Check the cache store's connection.`,
      );
    }
  }

  /**
   * Runs one write: the tables it reports are invalidated once it succeeded. Inside a
   * transaction, the write joins the transaction's invalidations instead.
   */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    if (units.getStore() !== undefined) return fn();
    const unit: Unit = { pending: new Set(), transaction: false, parent: undefined };
    const result = await units.run(unit, fn);
    await this.invalidateTags([...unit.pending]);
    return result;
  }

  /**
   * Runs a transaction (or a savepoint inside one): its invalidations happen after the outermost
   * commit, and are dropped when it (or the savepoint) rolls back.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const parent = units.getStore();
    const unit: Unit = { pending: new Set(), transaction: true, parent };
    const result = await units.run(unit, fn);
    if (parent !== undefined) {
      for (const tag of unit.pending) parent.pending.add(tag);
    } else {
      await this.invalidateTags([...unit.pending]);
    }
    return result;
  }
}
