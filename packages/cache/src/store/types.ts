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
 * How long an entry lives, what it is tagged with, and (for a value computed from data that may
 * change meanwhile) the tag versions the write depends on.
 *
 * @example
 * ```ts
 * store.set('post:1', post, { ttl: 60_000, tags: ['posts'], freshUntil: Number.POSITIVE_INFINITY });
 *
 * // wrap's write: only if no tag was invalidated since the versions were read.
 * const versions = await store.tagVersions?.(['posts']);
 * const rows = await db.posts.all();
 * await store.set('posts:all', rows, { ttl: 60_000, tags: ['posts'], freshUntil: Number.POSITIVE_INFINITY, versions });
 * ```
 */
export interface StoreSetOptions {
  /** Milliseconds until the entry expires; `0` keeps it until it is evicted or deleted. */
  readonly ttl: number;
  readonly tags: readonly string[];
  /** Epoch ms after which `wrap` refreshes the entry in the background; `Infinity` for never. */
  readonly freshUntil: number;
  /**
   * Makes the write conditional: one version per tag, in the order of `tags`, as `tagVersions`
   * read them before the value was computed. The entry is written only if every tag's version is
   * still the same (no `invalidateTags` of any of them since), checked atomically with the write;
   * otherwise nothing is written and `set` resolves to `false`. Absent (what `cache.set` passes):
   * the write is unconditional. `wrap` passes it for tagged keys, so a value computed from data
   * that changed (and was invalidated) while it was computed is not cached.
   *
   * - memory: compared with its in-process version map, in the same synchronous step as the write;
   * - Redis: compared inside the `SET_TAGGED` script with the version key beside each tag set;
   * - tiered: checked by Redis (the memory tier is written only when Redis was).
   */
  readonly versions?: readonly number[];
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
  /**
   * Writes the entry; resolves to `false` when it was not written because `options.versions` no
   * longer matched (a tag was invalidated meanwhile), to `true` or nothing otherwise.
   */
  set(key: string, value: unknown, options: StoreSetOptions): MaybePromise<boolean | void>;
  /** Deletes the keys; resolves to how many existed. */
  delete(keys: readonly string[]): MaybePromise<number>;
  has(key: string): MaybePromise<boolean>;
  /**
   * Deletes every entry carrying any of the tags, atomically on Redis, and moves each tag's version
   * on (so a conditional `set` that read the old version writes nothing); may resolve to the keys
   * deleted.
   */
  invalidateTags(tags: readonly string[]): MaybePromise<readonly string[] | undefined | void>;
  /**
   * The current version of each tag, in order, for a conditional `set` (`StoreSetOptions.versions`).
   * A version only changes when the tag is invalidated. Optional: without it `wrap` writes
   * unconditionally (a store written before versions existed keeps working, without the guarantee).
   */
  tagVersions?(tags: readonly string[]): MaybePromise<readonly number[]>;
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
