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

  set(key: string, value: unknown, options: StoreSetOptions): void {
    const previous = this.entries.get(key);
    const size = sizeOf(value) + key.length + ENTRY_OVERHEAD;
    // A value larger than the whole store is not kept (it would evict everything else for nothing).
    if (size > this.maxSize) {
      if (previous !== undefined) this.remove(key, previous);
      return;
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
      const keys = this.tagIndex.get(tag);
      if (keys === undefined) continue;
      for (const key of keys) {
        const entry = this.entries.get(key);
        if (entry !== undefined) this.remove(key, entry);
      }
      this.tagIndex.delete(tag);
    }
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
