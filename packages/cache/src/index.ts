// The cache

// The app's Redis connection (ioredis's classes, so apps can name the type of `app.redis`)
export type { Cluster, Redis } from 'ioredis';
export { Cache, createCache } from './cache.ts';
// Errors
export type { CacheErrorCode } from './errors.ts';
export { CACHE_ERROR_CODES, CacheError, CacheUnavailableError, RedisUnavailableError } from './errors.ts';
export type {
  CacheOptions,
  CacheStats,
  MemoizeOptions,
  MemoryTier,
  QueryStore,
  RedisTier,
  SetOptions,
  WrapOptions,
} from './options.ts';
// The plugin
export type { CacheExports, CachePluginOptions } from './plugin.ts';
export { cache } from './plugin.ts';
export type { RedisClient, RedisConnectionOptions } from './redis-connection.ts';
// Serialization
export type { CompressOption, SerializerName } from './serializer.ts';

// Stores (members: @framework/cache/memory, @framework/cache/redis)
export type { CacheStore, MaybePromise, StoredEntry, StoreSetOptions } from './store/types.ts';
