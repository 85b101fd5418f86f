/**
 * Where the query cache keeps results. The in-memory default is `MemoryQueryCacheStore`;
 * @framework/cache supplies one over its memory and Redis tiers through
 * `createDatabase({ cache: store })`.
 *
 * The contract:
 * - `get` resolves to exactly what `set` stored under the key (a miss is `undefined`), until the
 *   entry's `ttl` ran out or one of its tags was invalidated.
 * - Values are driver results (arrays and objects of strings, numbers, booleans, `null`, and for
 *   some column types `bigint` or `Uint8Array`): a store that serialises must round-trip these
 *   (`v8.serialize` does; plain JSON does not for `bigint`).
 * - `invalidateTags(tags)` makes every entry carrying any of the tags a miss, before it resolves.
 *   Tags are table names (`users`, `app.users` for another schema) and the tags given to `.cache()`.
 * - Keys arrive prefixed (`db:` by default), so the store may be shared with other users.
 * - A method that rejects is logged and treated as a miss (reads) or skipped (writes): the query
 *   still runs against the database.
 * - Optional, for a store shared by several processes: `tagVersions(tags)` resolves to one number
 *   per tag, in order, that changes whenever the tag is invalidated (from any process). On a miss
 *   of a cached query, the query cache reads its tags' versions before the query runs and passes
 *   them to `set` as `versions`: the store then writes the entry only if every tag still has that
 *   version, checked atomically with the write, so a result read before another process's write
 *   (and its invalidation) is not stored. A rejected `tagVersions` means the result is not stored.
 *   A store without `tagVersions` gets no `versions` and behaves as before: results read before an
 *   invalidation made in this process are not stored, but one made by another process while the
 *   query ran is not seen, and that stale result is served until its TTL.
 *
 * @example
 * ```ts
 * const store: QueryCacheStore = {
 *   get: async (key) => cache.get(key),
 *   // `ttl` is milliseconds here; @framework/cache's bare numbers are seconds, so say the unit.
 *   set: async (key, value, { ttl, tags }) => cache.set(key, value, { ttl: `${ttl}ms`, tags }),
 *   invalidateTags: async (tags) => cache.invalidate(tags),
 * };
 * const db = await createDatabase({ schema, cache: store });
 * ```
 */
export interface QueryCacheStore {
  get(key: string): Promise<unknown>;
  /**
   * Stores `value` for `options.ttl` **milliseconds** (`0`: no expiry), tagged with `options.tags`.
   * With `options.versions` (one per tag, as `tagVersions` read them), only if none of the tags was
   * invalidated since; otherwise it writes nothing.
   */
  set(key: string, value: unknown, options: QueryCacheSetOptions): Promise<void>;
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** The current version of each tag, in order; it changes when the tag is invalidated. Optional. */
  tagVersions?(tags: readonly string[]): Promise<readonly number[]>;
}

/**
 * What `QueryCacheStore.set` gets besides the key and value.
 *
 * @example
 * ```ts
 * const versions = await store.tagVersions?.(['users']);
 * const rows = await runQuery();
 * await store.set('db:users-list', rows, { ttl: 60_000, tags: ['users'], versions });
 * ```
 */
export interface QueryCacheSetOptions {
  /** Milliseconds until the entry expires; `0`: no expiry. */
  readonly ttl: number;
  readonly tags: readonly string[];
  /**
   * Present only when the store has `tagVersions`: one version per tag, in the order of `tags`.
   * The write happens only if each tag still has its version (no invalidation since it was read).
   */
  readonly versions?: readonly number[];
}
