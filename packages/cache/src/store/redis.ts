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

// KEYS: the entry, its n tag sets, then (a conditional write) the n tags' version keys.
// ARGV: the encoded value, the ttl, then (a conditional write) the n versions read before the value
// was computed: a tag invalidated since then means the value may predate the change, so it is dropped.
const SET_TAGGED = `
local n = #KEYS - 1
if #ARGV > 2 then
  n = #ARGV - 2
  for i = 1, n do
    if (tonumber(redis.call('GET', KEYS[1 + n + i])) or 0) ~= tonumber(ARGV[2 + i]) then return 0 end
  end
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 2, n + 1 do
  local existed = redis.call('EXISTS', KEYS[i])
  local left = redis.call('PTTL', KEYS[i])
  redis.call('SADD', KEYS[i], KEYS[1])
  if ttl == 0 then redis.call('PERSIST', KEYS[i])
  elseif existed == 0 or (left >= 0 and left < ttl) then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

// KEYS: the n tag sets, then their n version keys. ARGV: how long a version key outlives its last bump.
const INVALIDATE_TAGS = `
local n = #KEYS / 2
local deleted = {}
for i = 1, n do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    redis.call('UNLINK', unpack(members, j, math.min(j + 499, #members)))
  end
  for j = 1, #members do deleted[#deleted + 1] = members[j] end
  redis.call('UNLINK', KEYS[i])
  redis.call('INCR', KEYS[n + i])
  redis.call('PEXPIRE', KEYS[n + i], ARGV[1])
end
return deleted`;

/**
 * How long a tag's version key lives after its last invalidation. A conditional write compares the
 * version it read before computing with the current one; were the key to expire while a value is
 * being computed, the version would count from 0 again and could match what was read. So this
 * bounds how long a computation can run and still be caught: an hour, far beyond any cache-aside
 * loader, while a tag invalidated once costs its key for an hour only.
 */
const VERSION_TTL_MS = 3_600_000;

/** The key holding a tag's version: beside the tag set, in the same Cluster slot (same hash tag). */
function versionKey(tagKey: string): string {
  return `${tagKey}#version`;
}

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
 * with the entry in one script, tag invalidation in one script that also bumps each tag's version
 * (`<tag key>#version`, an `INCR` counter kept an hour after its last bump) so that `wrap`'s
 * conditional write of a value computed meanwhile is dropped, `deletePattern` by `SCAN` and
 * batched `UNLINK` (never `KEYS`, which blocks the server), counters by `INCRBY`.
 *
 * On Redis Cluster each key lives in its own slot, so a tagged `set`, `invalidateTags` and
 * `tagVersions` (which touch several keys at once) need every key of a tag in one slot: give such keys a hash tag
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

  /** Resolves to `false` when `options.versions` no longer matched and nothing was written. */
  async set(key: string, value: unknown, options: StoreSetOptions): Promise<boolean> {
    const bytes = await this.codec.encode(value, options.freshUntil);
    const { tags, versions } = options;
    if (versions !== undefined && versions.length !== tags.length) {
      throw new CacheError(
        'FW_CACHE_INVALID_ARGUMENT',
        `A conditional set needs one version per tag (${tags.length} tags, ${versions.length} versions): pass what tagVersions(tags) returned.`,
      );
    }
    if (versions !== undefined && tags.length > 0) {
      const keys = [key, ...tags, ...tags.map(versionKey)];
      const written = await this.guard.run(() =>
        runScript(this.client, SET_TAGGED, keys, [bytes, options.ttl, ...versions]),
      );
      return written === 1;
    }
    if (tags.length > 0) {
      await this.guard.run(() => runScript(this.client, SET_TAGGED, [key, ...tags], [bytes, options.ttl]));
    } else if (options.ttl > 0) {
      await this.guard.run(() => this.client.set(key, bytes, 'PX', options.ttl));
    } else {
      await this.guard.run(() => this.client.set(key, bytes));
    }
    return true;
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

  /**
   * Resolves to the keys that carried the tags (a memory tier in front drops them too); bumps each
   * tag's version (`INCR`) in the same script.
   */
  async invalidateTags(tags: readonly string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    const keys = [...tags, ...tags.map(versionKey)];
    return (await this.guard.run(() => runScript(this.client, INVALIDATE_TAGS, keys, [VERSION_TTL_MS]))) as string[];
  }

  /** One `MGET` of the tags' version keys; a tag never invalidated (or not for an hour) is at 0. */
  async tagVersions(tags: readonly string[]): Promise<number[]> {
    if (tags.length === 0) return [];
    const values = await this.guard.run(() => this.client.mget(...tags.map(versionKey)));
    return values.map((value) => (value === null ? 0 : Number(value)));
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
