import { randomBytes } from 'node:crypto';
import type { Logger } from '@framework/core';
import type { RedisClient } from '../redis-connection.ts';
import type { MemoryCacheStore } from './memory.ts';
import type { RedisCacheStore } from './redis.ts';
import type { CacheStore, StoredEntry, StoreSetOptions } from './types.ts';

/** What one instance tells the others to drop from their memory tier. */
interface Eviction {
  /** The sender, so it ignores its own message. */
  i: string;
  k?: string[];
  p?: string;
  c?: string;
}

/**
 * Options of the two-tier store.
 *
 * @example
 * ```ts
 * new TieredStore(new MemoryCacheStore(), new RedisCacheStore(redis), { channel: 'app:#evict', l1Ttl: 60_000, l2Ttl: 0, subscriber: redis.duplicate() });
 * ```
 */
export interface TieredStoreOptions {
  /** The pub/sub channel instances tell each other about writes on. */
  channel: string;
  /** Longest an entry stays in memory, in ms (`0`: as long as in Redis). */
  l1Ttl: number;
  /** Longest an entry stays in Redis, in ms (`0`: as long as asked). */
  l2Ttl: number;
  /** A connection of its own for SUBSCRIBE (a subscribed connection can send nothing else). */
  subscriber: RedisClient;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Memory (L1) in front of Redis (L2). Reads try memory first and fill it from Redis. Every write,
 * delete and invalidation goes to Redis and is published, so every instance drops the keys from
 * its memory tier; an instance that lost its subscription (Redis restarted, network) empties its
 * memory tier when it is back, since it may have missed messages. Until then its memory entries can
 * be up to `l1Ttl` old: keep that short.
 *
 * @example
 * ```ts
 * const cache = createCache({ tiers: [{ store: 'memory', ttl: 60, maxSize: '100MB' }, { store: 'redis', ttl: 3600 }] });
 * ```
 */
export class TieredStore implements CacheStore {
  readonly kind = 'tiered';
  readonly l1: MemoryCacheStore;
  readonly l2: RedisCacheStore;
  private readonly id = randomBytes(9).toString('base64url');
  private readonly options: TieredStoreOptions;
  /** Resolves once this instance listens for other instances' writes (also after a failed SUBSCRIBE, logged). */
  readonly subscribed: Promise<void>;
  /**
   * Whether evictions from other instances reach this one now. Until then (not subscribed yet, or
   * the subscription connection is down) reads are not copied into memory: an entry copied while
   * deaf could be overwritten elsewhere and kept here, stale, for the memory tier's whole TTL.
   */
  private listening = false;

  constructor(l1: MemoryCacheStore, l2: RedisCacheStore, options: TieredStoreOptions) {
    this.l1 = l1;
    this.l2 = l2;
    this.options = options;
    const { subscriber, channel } = options;
    let lost = false;
    let subscribedOnce = false;
    let subscribing = false;
    const subscribe = (): Promise<void> => {
      subscribing = true;
      return subscriber.subscribe(channel).then(
        () => {
          subscribing = false;
          subscribedOnce = true;
          this.listening = subscriber.status === 'ready';
        },
        (error: unknown) => {
          subscribing = false;
          options.logger?.warn(
            { err: error },
            'could not subscribe to cache evictions yet; the memory tier is not filled until the subscription is up (retried when the connection is back)',
          );
        },
      );
    };
    // 'close' comes first when the server goes away (an 'error' only when reconnecting fails).
    subscriber.on('close', () => {
      lost = true;
      this.listening = false;
    });
    subscriber.on('ready', () => {
      // Messages sent while the subscription was down are gone: forget everything held locally.
      if (lost) l1.clear('');
      lost = false;
      // ioredis subscribes again by itself on reconnection once a SUBSCRIBE went through.
      if (subscribedOnce) this.listening = true;
      else if (!subscribing) void subscribe();
    });
    subscriber.on('message', (from: string, text: string) => {
      if (from === channel) this.receive(text);
    });
    this.subscribed = subscribe();
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const near = this.l1.get(key);
    if (near !== undefined) return near;
    const far = await this.l2.get(key);
    if (far !== undefined && this.listening)
      this.l1.set(key, far.value, { ttl: this.options.l1Ttl, tags: [], freshUntil: far.freshUntil });
    return far;
  }

  /**
   * Redis decides a conditional write (the versions are Redis's); the memory tier is written only
   * when Redis was, and without the versions (its own count other invalidations).
   */
  async set(key: string, value: unknown, options: StoreSetOptions): Promise<boolean> {
    this.l1.delete([key]);
    if (!(await this.l2.set(key, value, { ...options, ttl: cap(options.ttl, this.options.l2Ttl) }))) return false;
    if (this.listening) {
      const { tags, freshUntil } = options;
      this.l1.set(key, value, { ttl: cap(options.ttl, this.options.l1Ttl), tags, freshUntil });
    }
    await this.publish({ i: this.id, k: [key] });
    return true;
  }

  async delete(keys: readonly string[]): Promise<number> {
    this.l1.delete(keys);
    const deleted = await this.l2.delete(keys);
    await this.publish({ i: this.id, k: [...keys] });
    return deleted;
  }

  async has(key: string): Promise<boolean> {
    return this.l1.has(key) || this.l2.has(key);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    // Entries filled from Redis carry no tags in memory: evict by the keys Redis had under the tags.
    this.l1.invalidateTags(tags);
    const keys = await this.l2.invalidateTags(tags);
    this.l1.delete(keys);
    await this.publish({ i: this.id, k: keys });
  }

  /** Redis's versions: an invalidation on any instance moves them. */
  tagVersions(tags: readonly string[]): Promise<number[]> {
    return this.l2.tagVersions(tags);
  }

  async deletePattern(pattern: string): Promise<number> {
    this.l1.deletePattern(pattern);
    const deleted = await this.l2.deletePattern(pattern);
    await this.publish({ i: this.id, p: pattern });
    return deleted;
  }

  async increment(key: string, by: number, ttl: number): Promise<number> {
    this.l1.delete([key]);
    const value = await this.l2.increment(key, by, ttl);
    await this.publish({ i: this.id, k: [key] });
    return value;
  }

  lock(key: string, ms: number): Promise<(() => Promise<void>) | undefined> {
    return this.l2.lock(key, ms);
  }

  async clear(prefix: string): Promise<void> {
    this.l1.clear(prefix);
    await this.l2.clear(prefix);
    await this.publish({ i: this.id, c: prefix });
  }

  async close(): Promise<void> {
    this.l1.close();
    this.options.subscriber.disconnect();
  }

  private async publish(message: Eviction): Promise<void> {
    await this.l2.publish(this.options.channel, JSON.stringify(message));
  }

  private receive(text: string): void {
    let message: Eviction;
    try {
      message = JSON.parse(text) as Eviction;
    } catch {
      return;
    }
    if (message.i === this.id) return;
    if (message.k) this.l1.delete(message.k);
    if (message.p !== undefined) this.l1.deletePattern(message.p);
    if (message.c !== undefined) this.l1.clear(message.c);
  }
}

/** The shorter of two TTLs in ms, where 0 means "no limit". */
function cap(ttl: number, limit: number): number {
  if (limit === 0) return ttl;
  if (ttl === 0) return limit;
  return Math.min(ttl, limit);
}
