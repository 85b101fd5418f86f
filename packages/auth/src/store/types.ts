/**
 * Where auth keeps what must outlive a request: sessions, refresh-token families, the access-token
 * revocation list, OAuth login attempts and API keys. Every store (memory, Redis) runs the same
 * contract suite (`test/store-contract.test.ts`).
 *
 * How a store fails: a store that cannot answer (Redis down, frozen or slower than its command
 * timeout) rejects with `AuthStoreUnavailableError`, which answers 503 with `Retry-After`: a
 * request that needs a session or a token check is refused, never let through. Values are strings;
 * what they hold is the caller's business. Time-to-live values are milliseconds, over 0.
 *
 * @example
 * ```ts
 * const store: AuthStore = new MemoryAuthStore({ maxEntries: 10_000 });
 * await store.set('session:abc', JSON.stringify({ userId: '1' }), 60_000);
 * await store.take('session:abc'); // the value, once; undefined the second time
 * ```
 */
export interface AuthStore {
  /** `memory` or `redis`: for logs and errors. */
  readonly kind: string;
  /** The value, or `undefined` when it is missing or expired. */
  get(key: string): Promise<string | undefined>;
  /** Writes the value; it expires `ttlMs` milliseconds from now. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Writes the value only when the key is absent; resolves to whether it wrote (one-time markers). */
  add(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Reads and deletes the value in one step: of two concurrent calls for a key, exactly one gets the
   * value (one-time tokens, refresh rotation, OAuth state).
   */
  take(key: string): Promise<string | undefined>;
  /** Deletes the keys; a missing one is no error. */
  delete(...keys: string[]): Promise<void>;
  /** Adds a member to a set; the set expires `ttlMs` from now unless it is added to again. */
  addMember(set: string, member: string, ttlMs: number): Promise<void>;
  /** Removes a member from a set; a missing one is no error. */
  removeMember(set: string, member: string): Promise<void>;
  /** The members of a set, in no order; `[]` when it is missing. */
  members(set: string): Promise<string[]>;
  /** Releases what the store holds (timers, its own connection); the app's Redis client is left open. */
  close?(): Promise<void>;
}
