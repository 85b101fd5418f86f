// @framework/cache/redis: the Redis members of the cache's store family, and the app's connection.

export { RedisUnavailableError } from './errors.ts';
export type { RedisRateLimitStoreOptions } from './rate-limit-store.ts';
export { RedisRateLimitStore } from './rate-limit-store.ts';
export type { RedisClient, RedisConnectionOptions } from './redis-connection.ts';
export {
  closeRedis,
  createRedis,
  isRedisClient,
  REQUEST_PATH_DEFAULTS,
  RedisGuard,
  redisGuard,
  whenReady,
} from './redis-connection.ts';
export type { RedisCacheStoreOptions } from './store/redis.ts';
export { RedisCacheStore } from './store/redis.ts';
export type { TieredStoreOptions } from './store/tiered.ts';
export { TieredStore } from './store/tiered.ts';
