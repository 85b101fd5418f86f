/** A value or a promise of it: in-process stores answer synchronously, Redis asynchronously. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * An entry as a store hands it back: the value and when it stops being fresh (epoch ms; `Infinity`
 * unless it was written for stale-while-revalidate).
 *
 * @example
 * ```ts
 * const entry = await store.get('user:1');
 * if (entry && entry.freshUntil < Date.now()) refreshInBackground();
 * ```
 */
export interface StoredEntry {
  readonly value: unknown;
  readonly freshUntil: number;
}

/**
 * How long an entry lives and what it is tagged with.
 *
 * @example
 * ```ts
 * store.set('post:1', post, { ttl: 60_000, tags: ['posts'], freshUntil: Number.POSITIVE_INFINITY });
 * ```
 */
export interface StoreSetOptions {
  /** Milliseconds until the entry expires; `0` keeps it until it is evicted or deleted. */
  readonly ttl: number;
  readonly tags: readonly string[];
  /** Epoch ms after which `wrap` refreshes the entry in the background; `Infinity` for never. */
  readonly freshUntil: number;
}

/**
 * What a cache store does. `createCache` puts the prefix on keys and handles failures; a store only
 * keeps entries. Every store (memory, Redis, the two tiers) runs the same contract suite.
 *
 * @example
 * ```ts
 * const store: CacheStore = new MemoryCacheStore({ maxSize: '50MB' });
 * const cache = createCache({ store });
 * ```
 */
export interface CacheStore {
  /** `memory`, `redis` or `tiered`: for logs and `cache.stats()`. */
  readonly kind: string;
  get(key: string): MaybePromise<StoredEntry | undefined>;
  set(key: string, value: unknown, options: StoreSetOptions): MaybePromise<void>;
  /** Deletes the keys; resolves to how many existed. */
  delete(keys: readonly string[]): MaybePromise<number>;
  has(key: string): MaybePromise<boolean>;
  /** Deletes every entry carrying any of the tags, atomically on Redis; may resolve to the keys deleted. */
  invalidateTags(tags: readonly string[]): MaybePromise<readonly string[] | undefined | void>;
  /** Deletes the keys matching a Redis glob pattern (`users:*`); resolves to how many. */
  deletePattern(pattern: string): MaybePromise<number>;
  /** Adds `by` to an integer entry (a missing one counts from 0); `ttl` (ms) applies when it is created. */
  increment(key: string, by: number, ttl: number): MaybePromise<number>;
  /** Takes a short lock for `wrap`'s single flight across processes; resolves to the release function or undefined when held elsewhere. */
  lock?(key: string, ms: number): Promise<(() => Promise<void>) | undefined>;
  /** Deletes every entry under `prefix`. */
  clear(prefix: string): MaybePromise<void>;
  close(): MaybePromise<void>;
}
