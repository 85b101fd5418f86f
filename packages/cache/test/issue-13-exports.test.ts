import { runtimeExports, typeExports } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);

// Every public name of the package, entry by entry (each entry of its package.json exports): a
// rename or a removal changes this snapshot, so it shows in review as a decision rather than
// slipping through.
describe('public exports of @framework/cache', () => {
  it('lists the runtime exports of every entry point', async () => {
    expect(await runtimeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "CACHE_ERROR_CODES",
          "Cache",
          "CacheError",
          "CacheUnavailableError",
          "RedisUnavailableError",
          "cache",
          "createCache",
        ],
        "./memory": [
          "MemoryCacheStore",
        ],
        "./redis": [
          "REQUEST_PATH_DEFAULTS",
          "RedisCacheStore",
          "RedisGuard",
          "RedisRateLimitStore",
          "RedisUnavailableError",
          "TieredStore",
          "closeRedis",
          "createRedis",
          "isRedisClient",
          "redisGuard",
          "whenReady",
        ],
      }
    `);
  });

  it('lists the type-only exports of every entry point', () => {
    expect(typeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "CacheErrorCode",
          "CacheExports",
          "CacheOptions",
          "CachePluginOptions",
          "CacheStats",
          "CacheStore",
          "Cluster",
          "CompressOption",
          "MaybePromise",
          "MemoizeOptions",
          "MemoryTier",
          "QueryStore",
          "Redis",
          "RedisClient",
          "RedisConnectionOptions",
          "RedisTier",
          "SerializerName",
          "SetOptions",
          "StoreSetOptions",
          "StoredEntry",
          "WrapOptions",
        ],
        "./memory": [],
        "./redis": [
          "RedisCacheStoreOptions",
          "RedisClient",
          "RedisConnectionOptions",
          "RedisRateLimitStoreOptions",
          "TieredStoreOptions",
        ],
      }
    `);
  });
});
