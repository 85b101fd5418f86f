import type { RateLimiter } from '@framework/core';
import type { Cluster, Redis } from 'ioredis';
import { AuthConfigError } from '../errors.ts';
import { MemoryAuthStore } from '../store/memory.ts';
import { RedisAuthStore } from '../store/redis.ts';
import type { AuthStore } from '../store/types.ts';

/** `app.redis` from @framework/cache: an ioredis client or cluster. */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'duplicate') === 'function' &&
    typeof Reflect.get(value, 'status') === 'string'
  );
}

/** `app.rateLimit` from core's rateLimit(): failed sign-ins feed it. */
export function isRateLimiter(value: unknown): value is RateLimiter {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'forContext') === 'function';
}

/** The store an option names: `memory`, `redis` (the app's Redis, which must be there) or one of the app's own. */
export function resolveStore(choice: unknown, redis: Redis | Cluster | undefined, where: string): AuthStore {
  if (choice === 'memory') return new MemoryAuthStore();
  if (choice === 'redis') {
    if (redis === undefined) {
      throw new AuthConfigError(
        `${where} is 'redis', but the app has no Redis connection: register @framework/cache with one first, app.use(cache({ redis: process.env.REDIS_URL })).use(auth(...)), and set REDIS_URL.`,
      );
    }
    return new RedisAuthStore(redis);
  }
  if (typeof choice === 'object' && choice !== null && typeof Reflect.get(choice, 'take') === 'function')
    return choice as AuthStore;
  throw new AuthConfigError(
    `${where} is ${JSON.stringify(choice)}; write 'memory', 'redis' or a store object (AuthStore).`,
  );
}
