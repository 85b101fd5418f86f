import type { QueryCacheStore } from './query-cache-store.ts';

interface Entry {
  value: unknown;
  expires: number;
  tags: readonly string[];
}

/**
 * The query cache's default store: in this process, bounded by a number of entries (least
 * recently used first out), each entry kept until its TTL runs out or a tag of it is invalidated.
 *
 * @example
 * ```ts
 * const db = await createDatabase({ schema, cache: new MemoryQueryCacheStore({ maxEntries: 5_000 }) });
 * ```
 */
export class MemoryQueryCacheStore implements QueryCacheStore {
  readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();
  private readonly byTag = new Map<string, Set<string>>();

  constructor(options: { maxEntries?: number } = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 1_000);
  }

  /** How many entries are held (expired ones included until they are next read or evicted). */
  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<unknown> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= Date.now()) {
      this.remove(key, entry);
      return undefined;
    }
    // Map order is the LRU order: a read moves the entry to the end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: unknown, options: { ttl: number; tags: readonly string[] }): Promise<void> {
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(key, previous);
    const entry: Entry = { value, expires: Date.now() + options.ttl, tags: [...new Set(options.tags)] };
    this.entries.set(key, entry);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      if (keys === undefined) this.byTag.set(tag, new Set([key]));
      else keys.add(key);
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      const evicted = this.entries.get(oldest.value);
      if (evicted !== undefined) this.remove(oldest.value, evicted);
    }
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      for (const key of this.byTag.get(tag) ?? []) {
        const entry = this.entries.get(key);
        if (entry !== undefined) this.remove(key, entry);
      }
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
    this.byTag.clear();
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
