import { type Duration, parseDuration, parseSize } from '@framework/core';
import { CacheError } from '../errors.ts';
import { exactNow, now } from '../internal/clock.ts';
import { globToRegExp } from '../internal/glob.ts';
import { sizeOf } from '../internal/size.ts';
import type { CacheStore, StoredEntry, StoreSetOptions } from './types.ts';

/**
 * Options of the in-process store.
 *
 * @example
 * ```ts
 * new MemoryCacheStore({ maxSize: '100MB', sweepInterval: 30_000 });
 * ```
 */
export interface MemoryCacheStoreOptions {
  /** The most bytes of values kept (`'100MB'` or a number of bytes), estimated per value. Default `'64MB'`. */
  maxSize?: number | string;
  /** Milliseconds (a bare number) or a string with a unit (`'1m'`): how often expired entries are dropped (they are also dropped when read). Default 60 s. */
  sweepInterval?: Duration;
}

class Entry implements StoredEntry {
  value: unknown;
  freshUntil: number;
  expiresAt: number;
  size: number;
  tags: readonly string[];
  /** Read since the eviction hand last passed it (CLOCK's reference bit). */
  visited = false;

  constructor(value: unknown, size: number, expiresAt: number, freshUntil: number, tags: readonly string[]) {
    this.value = value;
    this.size = size;
    this.expiresAt = expiresAt;
    this.freshUntil = freshUntil;
    this.tags = tags;
  }
}

// What a key and its bookkeeping cost besides the value, in bytes (a Map slot, the entry object).
const ENTRY_OVERHEAD = 96;

// Tag versions kept at most (about 1 MB): the least recently invalidated tags are forgotten first.
const MAX_TAG_VERSIONS = 10_000;

/**
 * The in-process store: bounded by bytes (an estimate of each value's size), TTLs honoured, the
 * least recently used entries evicted first. Values are kept as they are (no copy): treat what
 * `get` returns as read-only, as with `lru-cache`.
 *
 * Recency is tracked the CLOCK way, the approximation of LRU that operating systems use for page
 * caches: a read only sets a flag on the entry; eviction walks from the oldest entry, giving
 * entries read since its last pass a second chance at the back. A read stays a map lookup and a
 * store, so hits cost no reordering.
 *
 * Its methods answer synchronously; `createCache` awaits them like any store's.
 *
 * @example
 * ```ts
 * import { MemoryCacheStore } from '@framework/cache/memory';
 *
 * const store = new MemoryCacheStore({ maxSize: '10MB' });
 * store.set('user:1', { name: 'Ada' }, { ttl: 60_000, tags: [], freshUntil: Number.POSITIVE_INFINITY });
 * store.get('user:1')?.value; // { name: 'Ada' }
 * ```
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  /** The bound on the estimated bytes held. */
  readonly maxSize: number;
  private readonly entries = new Map<string, Entry>();
  private readonly tagIndex = new Map<string, Set<string>>();
  /** Each invalidated tag's version, in the order of their last invalidation (oldest first). */
  private readonly versions = new Map<string, number>();
  /** The last version handed out: one counter for every tag, so versions only grow. */
  private lastVersion = 0;
  /**
   * The version of every tag not in `versions`: the newest version forgotten. A tag forgotten after
   * it was read then reads as a different version, so the write that depended on it is dropped
   * (a missed fill, never a stale value).
   */
  private forgottenVersion = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.maxSize = parseSize(options.maxSize ?? '64MB');
    if (this.maxSize < 1)
      throw new CacheError('FW_CACHE_CONFIG', `maxSize must be at least 1 byte, got ${this.maxSize}.`);
    let sweepInterval: number;
    try {
      sweepInterval = parseDuration(options.sweepInterval ?? '1m', 'sweepInterval');
    } catch (error) {
      throw new CacheError('FW_CACHE_CONFIG', error instanceof Error ? error.message : String(error));
    }
    if (!(sweepInterval >= 1)) {
      throw new CacheError(
        'FW_CACHE_CONFIG',
        `sweepInterval must be at least 1 ms (a number of milliseconds or a string such as '30s'), got ${String(options.sweepInterval)}.`,
      );
    }
    this.timer = setInterval(() => this.sweep(), sweepInterval);
    // The sweep must never keep the process alive on its own.
    this.timer.unref();
  }

  /** The estimated bytes held right now. */
  get size(): number {
    return this.bytes;
  }

  /** How many entries are held right now (expired ones not yet dropped included). */
  get count(): number {
    return this.entries.size;
  }

  get(key: string): StoredEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= now()) {
      this.remove(key, entry);
      return undefined;
    }
    entry.visited = true;
    return entry;
  }

  /** Returns `false` when `options.versions` no longer matched and nothing was written. */
  set(key: string, value: unknown, options: StoreSetOptions): boolean {
    if (options.versions !== undefined && !this.versionsMatch(options.tags, options.versions)) return false;
    const previous = this.entries.get(key);
    const size = sizeOf(value) + key.length + ENTRY_OVERHEAD;
    // A value larger than the whole store is not kept (it would evict everything else for nothing).
    if (size > this.maxSize) {
      if (previous !== undefined) this.remove(key, previous);
      return true;
    }
    const expiresAt = options.ttl > 0 ? exactNow() + options.ttl : 0;
    if (previous === undefined) {
      this.entries.set(key, new Entry(value, size, expiresAt, options.freshUntil, options.tags));
      this.bytes += size;
    } else {
      // Overwritten in place: no new object, no map delete and insert (a third of a set's cost).
      this.untag(key, previous.tags);
      this.bytes += size - previous.size;
      previous.value = value;
      previous.size = size;
      previous.expiresAt = expiresAt;
      previous.freshUntil = options.freshUntil;
      previous.tags = options.tags;
      previous.visited = true;
    }
    for (const tag of options.tags) {
      let keys = this.tagIndex.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.tagIndex.set(tag, keys);
      }
      keys.add(key);
    }
    if (this.bytes > this.maxSize) this.evict();
    return true;
  }

  delete(keys: readonly string[]): number {
    let deleted = 0;
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry === undefined) continue;
      if (entry.expiresAt === 0 || entry.expiresAt > exactNow()) deleted++;
      this.remove(key, entry);
    }
    return deleted;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  invalidateTags(tags: readonly string[]): void {
    for (const tag of tags) {
      this.bump(tag);
      const keys = this.tagIndex.get(tag);
      if (keys === undefined) continue;
      for (const key of keys) {
        const entry = this.entries.get(key);
        if (entry !== undefined) this.remove(key, entry);
      }
      this.tagIndex.delete(tag);
    }
  }

  /** Each tag's current version, for a conditional `set` (see `StoreSetOptions.versions`). */
  tagVersions(tags: readonly string[]): number[] {
    return tags.map((tag) => this.versions.get(tag) ?? this.forgottenVersion);
  }

  deletePattern(pattern: string): number {
    const matcher = globToRegExp(pattern);
    const now = exactNow();
    let deleted = 0;
    for (const [key, entry] of this.entries) {
      if (!matcher.test(key)) continue;
      if (entry.expiresAt === 0 || entry.expiresAt > now) deleted++;
      this.remove(key, entry);
    }
    return deleted;
  }

  increment(key: string, by: number, ttl: number): number {
    const entry = this.get(key) as Entry | undefined;
    if (entry === undefined) {
      this.set(key, by, { ttl, tags: [], freshUntil: Number.POSITIVE_INFINITY });
      return by;
    }
    if (!Number.isSafeInteger(entry.value)) {
      throw new CacheError(
        'FW_CACHE_INVALID_ARGUMENT',
        `Cannot increment ${JSON.stringify(key)}: it holds a value that is not an integer. Delete it or use another key for the counter.`,
      );
    }
    entry.value = (entry.value as number) + by;
    return entry.value as number;
  }

  clear(prefix: string): void {
    if (prefix === '') {
      this.entries.clear();
      this.tagIndex.clear();
      this.bytes = 0;
      return;
    }
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) this.remove(key, entry);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.tagIndex.clear();
    this.versions.clear();
    this.bytes = 0;
  }

  /** Drops expired entries. */
  sweep(): void {
    const now = exactNow();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) this.remove(key, entry);
    }
  }

  private evict(): void {
    const now = exactNow();
    // Map iteration is in insertion order and visits entries re-inserted during the loop, which is
    // what gives a read entry its second chance: it moves to the back with its flag cleared.
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxSize) return;
      if (entry.visited && (entry.expiresAt === 0 || entry.expiresAt > now)) {
        entry.visited = false;
        this.entries.delete(key);
        this.entries.set(key, entry);
      } else {
        this.remove(key, entry);
      }
    }
  }

  private versionsMatch(tags: readonly string[], versions: readonly number[]): boolean {
    if (versions.length !== tags.length) {
      throw new CacheError(
        'FW_CACHE_INVALID_ARGUMENT',
        `A conditional set needs one version per tag (${tags.length} tags, ${versions.length} versions): pass what tagVersions(tags) returned.`,
      );
    }
    let i = 0;
    for (const tag of tags) {
      if ((this.versions.get(tag) ?? this.forgottenVersion) !== versions[i++]) return false;
    }
    return true;
  }

  private bump(tag: string): void {
    // Deleted first so the tag moves to the back: the map stays ordered by last invalidation.
    this.versions.delete(tag);
    this.versions.set(tag, ++this.lastVersion);
    if (this.versions.size <= MAX_TAG_VERSIONS) return;
    for (const [oldest, version] of this.versions) {
      this.versions.delete(oldest);
      this.forgottenVersion = version;
      return;
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.size;
    this.untag(key, entry.tags);
  }

  private untag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.tagIndex.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.tagIndex.delete(tag);
    }
  }
}
