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

/**
 * One cached query being served (`CachedQuery` runs drizzle inside it): its explicit tags, which
 * drizzle does not pass to `get`, and on a miss the versions of all its tags, read before the query.
 *
 * @example
 * ```ts
 * const rows = await cachedRuns.run({ tags: ['feed'] }, () => query.$withCache(config).execute());
 * ```
 */
export interface CachedRun {
  readonly tags: readonly string[];
  /** Each tag's version before the query ran; `null` when they could not be read (store nothing). */
  read?: { readonly tags: readonly string[]; readonly versions: readonly number[] } | null;
}

/**
 * The cached query running in the current async context.
 *
 * @example
 * ```ts
 * cachedRuns.run({ tags: [] }, () => load(false, config));
 * ```
 */
export const cachedRuns = new AsyncLocalStorage<CachedRun>();

/** The explicit tags a `.cache()` call adds, carried through drizzle's cache config. */
function extraTags(config: CacheConfig | undefined): string[] {
  if (config === undefined || !('tags' in config) || !Array.isArray(config.tags)) return [];
  return config.tags.filter((tag): tag is string => typeof tag === 'string');
}

/**
 * The versions read for `read.tags`, in the order of `tags`; `undefined` when a tag was not read
 * (then the write is unconditional, guarded in this process only).
 */
function versionsOf(
  read: { readonly tags: readonly string[]; readonly versions: readonly number[] },
  tags: readonly string[],
): number[] | undefined {
  const versions: number[] = [];
  for (const tag of tags) {
    const index = read.tags.indexOf(tag);
    const version = read.versions[index];
    if (index === -1 || version === undefined) return undefined;
    versions.push(version);
  }
  return versions;
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
 * - a result read before an invalidation of one of its tags is not stored after it: in this process
 *   always, and across processes for `.cache()` queries when the store has `tagVersions` (the
 *   write is then conditional on the versions read before the query);
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
  override async get(key: string, tables: string[] = []): Promise<any[] | undefined> {
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
      await this.readVersions(tables);
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
    const read = cachedRuns.getStore()?.read;
    if (read === null) return;
    const versions = read === undefined ? undefined : versionsOf(read, tags);
    try {
      await this.store.set(
        this.prefix + key,
        response,
        versions === undefined ? { ttl, tags } : { ttl, tags, versions },
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'The query cache store failed to write; the result was not cached.');
    }
  }

  /**
   * On a miss of a cached query, with a store that has versions: reads its tags' versions before
   * the query runs (awaited, so the store answered first), for the conditional write in `put`.
   */
  private async readVersions(tables: readonly string[]): Promise<void> {
    const run = cachedRuns.getStore();
    if (run === undefined || this.store.tagVersions === undefined) return;
    const tags = [...new Set([...tables, ...run.tags])];
    if (tags.length === 0) return;
    try {
      const versions = await this.store.tagVersions(tags);
      run.read = versions.length === tags.length ? { tags, versions } : null;
    } catch (error) {
      run.read = null;
      this.logger.warn(
        { err: error, tags },
        "The query cache store failed to read tag versions; the result was not cached. Check the cache store's connection.",
      );
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
