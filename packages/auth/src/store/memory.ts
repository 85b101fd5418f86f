import type { AuthStore } from './types.ts';

/**
 * Options of the memory store.
 *
 * @example
 * ```ts
 * new MemoryAuthStore({ maxEntries: 50_000 });
 * ```
 */
export interface MemoryAuthStoreOptions {
  /**
   * Entries (keys and sets) kept at most; past it the entries closest to expiry go first, so a
   * flood of logins cannot exhaust memory. Default 100 000.
   */
  maxEntries?: number;
}

interface Entry {
  value: string | Set<string>;
  expires: number;
}

/**
 * The default auth store: in this process, bounded, lost on restart and not shared between
 * instances (use the Redis store for several instances).
 *
 * @example
 * ```ts
 * const store = new MemoryAuthStore();
 * await store.set('k', 'v', 1_000);
 * await store.get('k'); // 'v'
 * ```
 */
export class MemoryAuthStore implements AuthStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(options: MemoryAuthStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`MemoryAuthStore maxEntries must be a positive integer, e.g. 100000; got ${String(max)}.`);
    }
    this.maxEntries = max;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, entry);
  }

  /** Drops the expired entries, then, while still full, the one closest to expiry. */
  private evict(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      let soonest: string | undefined;
      let at = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.entries) {
        if (entry.expires < at) {
          at = entry.expires;
          soonest = key;
        }
      }
      if (soonest === undefined) return;
      this.entries.delete(soonest);
    }
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.live(key)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.put(key, { value, expires: Date.now() + ttlMs });
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    this.put(key, { value, expires: Date.now() + ttlMs });
    return true;
  }

  async take(key: string): Promise<string | undefined> {
    const value = this.live(key)?.value;
    if (typeof value !== 'string') return undefined;
    this.entries.delete(key);
    return value;
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async addMember(set: string, member: string, ttlMs: number): Promise<void> {
    const entry = this.live(set);
    const members = entry !== undefined && entry.value instanceof Set ? entry.value : new Set<string>();
    members.add(member);
    this.put(set, { value: members, expires: Date.now() + ttlMs });
  }

  async removeMember(set: string, member: string): Promise<void> {
    const entry = this.live(set);
    if (entry !== undefined && entry.value instanceof Set) entry.value.delete(member);
  }

  async members(set: string): Promise<string[]> {
    const value = this.live(set)?.value;
    return value instanceof Set ? [...value] : [];
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
