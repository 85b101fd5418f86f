import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Every public name of the package, entry by entry: a rename or a removal changes this snapshot,
// so it shows in review as a decision rather than slipping through.
describe('public exports of @framework/cache', () => {
  it('lists the runtime exports of every entry point', async () => {
    const entries = {
      '.': await import('../src/index.ts'),
      './memory': await import('../src/store/memory.ts'),
      './redis': await import('../src/redis.ts'),
    };
    const names = Object.fromEntries(
      Object.entries(entries).map(([entry, module]) => [entry, Object.keys(module).sort()]),
    );
    expect(names).toMatchInlineSnapshot(`
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
    const files = { '.': '../src/index.ts', './memory': '../src/store/memory.ts', './redis': '../src/redis.ts' };
    const types = Object.fromEntries(
      Object.entries(files).map(([entry, file]) => {
        const source = readFileSync(new URL(file, import.meta.url), 'utf8');
        const names = [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((match) =>
          (match[1] ?? '')
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
        );
        return [entry, names.sort()];
      }),
    );
    expect(types).toMatchInlineSnapshot(`
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
