import { randomBytes } from 'node:crypto';
import { checkOptions, type KnownOptions } from '@framework/core';
import { Cluster, type Redis } from 'ioredis';
import { CacheError } from '../errors.ts';
import { escapeGlob } from '../internal/glob.ts';
import { runScript } from '../internal/script.ts';
import { type RedisClient, type RedisGuard, redisGuard } from '../redis-connection.ts';
import { Codec, type CompressOption, type SerializerName } from '../serializer.ts';
import type { CacheStore, StoredEntry, StoreSetOptions } from './types.ts';

// Each script is one atomic step on the server: no other client sees half of it.
const SET_TAGGED = `
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 2, #KEYS do
  local existed = redis.call('EXISTS', KEYS[i])
  local left = redis.call('PTTL', KEYS[i])
  redis.call('SADD', KEYS[i], KEYS[1])
  if ttl == 0 then redis.call('PERSIST', KEYS[i])
  elseif existed == 0 or (left >= 0 and left < ttl) then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

const INVALIDATE_TAGS = `
local deleted = {}
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    redis.call('UNLINK', unpack(members, j, math.min(j + 499, #members)))
  end
  for j = 1, #members do deleted[#deleted + 1] = members[j] end
  redis.call('UNLINK', KEYS[i])
end
return deleted`;

const INCREMENT = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Keys deleted per UNLINK while deleting by pattern. */
const UNLINK_BATCH = 500;

/**
 * Options of the Redis store.
 *
 * @example
 * ```ts
 * new RedisCacheStore(redis, { serializer: 'msgpack', compress: true });
 * ```
 */
export interface RedisCacheStoreOptions {
  serializer?: SerializerName;
  compress?: CompressOption;
}

const STORE_OPTIONS: KnownOptions<RedisCacheStoreOptions> = { serializer: true, compress: true };

/**
 * The Redis store: values encoded by the serializer (JSON by default), tags as Redis sets updated
 * with the entry in one script, tag invalidation in one script, `deletePattern` by `SCAN` and
 * batched `UNLINK` (never `KEYS`, which blocks the server), counters by `INCRBY`.
 *
 * On Redis Cluster each key lives in its own slot, so a tagged `set` and `invalidateTags` (which
 * touch several keys at once) need every key of a tag in one slot: give such keys a hash tag
 * (`{user:1}:profile`). Everything else works across slots.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisCacheStore } from '@framework/cache/redis';
 *
 * const store = new RedisCacheStore(new Redis(process.env.REDIS_URL!));
 * const cache = createCache({ store });
 * ```
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  readonly client: RedisClient;
  private readonly codec: Codec;
  /** The connection's guard: waits for the first connection, fails at once while Redis is down or hung. */
  private readonly guard: RedisGuard;

  constructor(client: RedisClient, options: RedisCacheStoreOptions = {}) {
    checkOptions('RedisCacheStore', options, STORE_OPTIONS);
    this.client = client;
    this.codec = new Codec(options.serializer, options.compress);
    this.guard = redisGuard(client);
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const bytes = await this.guard.run(() => this.client.getBuffer(key));
    return bytes === null ? undefined : this.codec.decode(bytes);
  }

  async set(key: string, value: unknown, options: StoreSetOptions): Promise<void> {
    const bytes = await this.codec.encode(value, options.freshUntil);
    if (options.tags.length > 0) {
      await this.guard.run(() => runScript(this.client, SET_TAGGED, [key, ...options.tags], [bytes, options.ttl]));
    } else if (options.ttl > 0) {
      await this.guard.run(() => this.client.set(key, bytes, 'PX', options.ttl));
    } else {
      await this.guard.run(() => this.client.set(key, bytes));
    }
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const client = this.client;
    if (client instanceof Cluster) {
      const counts = await this.guard.run(() => Promise.all(keys.map((key) => client.unlink(key))));
      return counts.reduce((sum, count) => sum + count, 0);
    }
    return this.guard.run(() => client.unlink(...keys));
  }

  async has(key: string): Promise<boolean> {
    return (await this.guard.run(() => this.client.exists(key))) === 1;
  }

  /** Resolves to the keys that carried the tags (a memory tier in front drops them too). */
  async invalidateTags(tags: readonly string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    return (await this.guard.run(() => runScript(this.client, INVALIDATE_TAGS, tags, []))) as string[];
  }

  /** Walks every master with SCAN and UNLINKs in batches; one guarded unit (a hung Redis fails it at its first SCAN). */
  deletePattern(pattern: string): Promise<number> {
    return this.guard.run(() => this.scanAndUnlink(pattern));
  }

  private async scanAndUnlink(pattern: string): Promise<number> {
    const nodes: Redis[] = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    let deleted = 0;
    for (const node of nodes) {
      const stream = node.scanStream({ match: pattern, count: 1_000 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        for (let i = 0; i < keys.length; i += UNLINK_BATCH) {
          deleted += await node.unlink(...keys.slice(i, i + UNLINK_BATCH));
        }
      }
    }
    return deleted;
  }

  async increment(key: string, by: number, ttl: number): Promise<number> {
    try {
      return Number(await this.guard.run(() => runScript(this.client, INCREMENT, [key], [by, ttl])));
    } catch (error) {
      if (error instanceof Error && /not an integer/.test(error.message)) {
        throw new CacheError(
          'FW_CACHE_INVALID_ARGUMENT',
          `Cannot increment ${JSON.stringify(key)}: it holds a value that is not an integer. Delete it or use another key for the counter.`,
        );
      }
      throw error;
    }
  }

  async lock(key: string, ms: number): Promise<(() => Promise<void>) | undefined> {
    const token = randomBytes(12).toString('base64url');
    const taken = await this.guard.run(() => this.client.set(key, token, 'PX', ms, 'NX'));
    if (taken !== 'OK') return undefined;
    return async () => {
      await this.guard.run(() => runScript(this.client, RELEASE_LOCK, [key], [token]));
    };
  }

  /** Publishes `message` on `channel` (the two-tier store's evictions), guarded like every command. */
  publish(channel: string, message: string): Promise<number> {
    return this.guard.run(() => this.client.publish(channel, message));
  }

  async clear(prefix: string): Promise<void> {
    await this.deletePattern(`${escapeGlob(prefix)}*`);
  }

  /** The store does not own the connection: whoever created it (the plugin, you) closes it. */
  close(): void {}
}
