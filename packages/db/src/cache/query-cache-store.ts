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
  /** Stores `value` for `options.ttl` **milliseconds** (`0`: no expiry), tagged with `options.tags`. */
  set(key: string, value: unknown, options: { ttl: number; tags: readonly string[] }): Promise<void>;
  invalidateTags(tags: readonly string[]): Promise<void>;
}
