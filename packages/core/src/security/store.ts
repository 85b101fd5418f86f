/**
 * Where a rate limiter keeps its counters and blocks. Every method is one atomic step, so a Redis
 * implementation runs each as a single Lua script (no INCR/EXPIRE race across app instances):
 *
 * - `increment`: `INCR k; if count == 1 then PEXPIRE k windowMs end; return { count, PTTL k }`
 * - `decrement`: `if GET k > 0 then DECR k end`
 * - `reset`: `DEL k, block:k`
 * - `block`: `if PTTL block:k < ms then SET block:k 1 PX ms end`
 * - `blockedUntil`: `PTTL block:k`
 *
 * Counters and blocks live side by side: blocking a key does not touch its counter. A block is a
 * timed mark; the limiter also uses it to remember, for example, that a client has logged in to an
 * account before. Every implementation must pass `storeContract()` from `store-contract.ts`.
 *
 * @example
 * ```ts
 * const store: RateLimitStore = new MemoryRateLimitStore();
 * const { count, resetAt } = await store.increment('login:203.0.113.7', 60_000);
 * if (count > 5) await store.block('203.0.113.7', 15 * 60_000);
 * ```
 */
export interface RateLimitStore {
  /**
   * Counts one hit on `key`. The first hit starts a window of `windowMs`; later hits in the window
   * count up and keep its end (`resetAt`, epoch milliseconds); the first hit after it ends starts a
   * new window at 1.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  /** Takes one hit back (never below 0); a key with no live window stays absent. */
  decrement(key: string): Promise<void>;
  /** Forgets the key's counter and its block. */
  reset(key: string): Promise<void>;
  /** Marks the key blocked for `ms` from now; a longer block already in place is kept. */
  block(key: string, ms: number): Promise<void>;
  /** When the key's block ends (epoch milliseconds), or 0 when it is not blocked. */
  blockedUntil(key: string): Promise<number>;
  /** Releases timers and connections the store owns. */
  close?(): void | Promise<void>;
}

/**
 * Options for `MemoryRateLimitStore`.
 *
 * @example
 * ```ts
 * new MemoryRateLimitStore({ maxKeys: 50_000, sweepInterval: 30_000 });
 * ```
 */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most counters (and, separately, most blocks) kept; past it the oldest are dropped, so a flood
   * of distinct keys cannot grow memory without bound. Default 100 000.
   */
  maxKeys?: number;
  /** How often expired entries are swept, in milliseconds (they are also dropped lazily). Default 60 000. */
  sweepInterval?: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * The in-process `RateLimitStore`: exact and atomic within one process, bounded in memory. For
 * several app instances use a shared store (Redis, from @framework/cache).
 *
 * Entries are kept in the order their window (or block) started, so evicting past `maxKeys` drops
 * the oldest first, in constant time. An attacker who controls more than `maxKeys` distinct client
 * keys could push out other counters early; size `maxKeys` above the number of clients you expect
 * per window.
 *
 * @example
 * ```ts
 * const store = new MemoryRateLimitStore({ maxKeys: 10_000 });
 * app.use(rateLimit({ max: 100, window: '1m', store }));
 * ```
 */
export class MemoryRateLimitStore implements RateLimitStore {
  /** The bound on counters and on blocks. */
  readonly maxKeys: number;
  private readonly windows = new Map<string, Window>();
  private readonly blocks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000;
    const sweepInterval = options.sweepInterval ?? 60_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`MemoryRateLimitStore maxKeys must be a positive integer, got ${maxKeys}.`);
    }
    if (!Number.isFinite(sweepInterval) || sweepInterval < 1) {
      throw new RangeError(
        `MemoryRateLimitStore sweepInterval must be a positive number of milliseconds, got ${sweepInterval}.`,
      );
    }
    this.maxKeys = maxKeys;
    this.timer = setInterval(() => this.sweep(), sweepInterval);
    // The sweep must never keep the process alive on its own.
    this.timer.unref();
  }

  /** How many counters and blocks are held right now. */
  get size(): number {
    return this.windows.size + this.blocks.size;
  }

  increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const now = Date.now();
    let entry = this.windows.get(key);
    if (entry === undefined || entry.resetAt <= now) {
      // Re-inserting moves the key to the end: the map stays ordered by window start.
      if (entry !== undefined) this.windows.delete(key);
      entry = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, entry);
      evictOldest(this.windows, this.maxKeys);
    }
    entry.count++;
    return Promise.resolve({ count: entry.count, resetAt: entry.resetAt });
  }

  decrement(key: string): Promise<void> {
    const entry = this.windows.get(key);
    if (entry !== undefined && entry.resetAt > Date.now() && entry.count > 0) entry.count--;
    return Promise.resolve();
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    this.blocks.delete(key);
    return Promise.resolve();
  }

  block(key: string, ms: number): Promise<void> {
    const until = Date.now() + ms;
    const current = this.blocks.get(key);
    if (current === undefined || current < until) {
      this.blocks.delete(key);
      this.blocks.set(key, until);
      evictOldest(this.blocks, this.maxKeys);
    }
    return Promise.resolve();
  }

  blockedUntil(key: string): Promise<number> {
    const until = this.blocks.get(key);
    if (until === undefined) return Promise.resolve(0);
    if (until <= Date.now()) {
      this.blocks.delete(key);
      return Promise.resolve(0);
    }
    return Promise.resolve(until);
  }

  /** Drops every expired counter and block now (the timer does this every `sweepInterval`). */
  sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.windows) if (entry.resetAt <= now) this.windows.delete(key);
    for (const [key, until] of this.blocks) if (until <= now) this.blocks.delete(key);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function evictOldest(map: Map<string, unknown>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}
