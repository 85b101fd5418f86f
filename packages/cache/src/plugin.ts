import { checkOptions, definePlugin, type PluginInstance } from '@framework/core';
import { CACHE_OPTIONS, Cache } from './cache.ts';
import type { CacheOptions } from './options.ts';
import { type RedisClient, redisGuard } from './redis-connection.ts';

/** What `app.use(cache(...))` adds: `app.cache`, `ctx.cache`, `app.redis` and the `redis` health check. */
export interface CacheExports {
  decorate: {
    cache: Cache;
    /** The app's Redis connection (from `redis` or `REDIS_URL`), for other plugins; `undefined` without one. */
    redis: RedisClient | undefined;
  };
  context: { cache: () => Cache };
  health: { [name: string]: () => Promise<unknown> };
}

/**
 * Options of the `cache()` plugin: the cache's (see `CacheOptions`). `connectTimeout` also bounds
 * how long the app's start waits for Redis before serving misses.
 *
 * @example
 * ```ts
 * app.use(cache({ ttl: 600, connectTimeout: 2_000 }));
 * ```
 */
export interface CachePluginOptions extends CacheOptions {}

/** Defined once: `cache()` only binds options to it. */
const plugin = definePlugin<CachePluginOptions, CacheExports>({
  name: '@framework/cache',
  // Synchronous, so `app.cache` and `app.redis` exist right after `app.use(cache())`: the wait for
  // Redis is start-up work (`app.onReady`), and commands issued before it wait for the connection.
  setup(app, settings) {
    const instance = new Cache({ logger: app.logger, ...settings });
    app.onClose(() => instance.close());
    const redis = instance.redis;
    // Start-up waits up to connectTimeout for Redis, then starts anyway: the connection has logged
    // that Redis is not reachable (one line), and the cache serves misses until it is.
    if (redis !== undefined) app.onReady(() => instance.ready(settings.connectTimeout ?? '5s'));
    // Through the connection's guard: while its breaker is open, the check says so at once.
    const health: CacheExports['health'] =
      redis === undefined ? {} : { redis: () => redisGuard(redis).run(() => redis.ping()) };
    return { decorate: { cache: instance, redis }, context: { cache: () => instance }, health };
  },
});

/**
 * The cache as a plugin: `ctx.cache` in every handler, and the app's Redis connection as
 * `app.redis` (from `redis` or `REDIS_URL`) for the rate limiter, sessions and queues. Without a
 * Redis it is an in-process memory cache, so the app needs no server to start. Both exist right
 * after `app.use(cache())`; `app.ready()`/`app.start()` wait up to `connectTimeout` for Redis. The
 * connection is closed when the app stops, after in-flight requests finished; `app.health()`
 * pings it. Unknown option keys throw here, with "did you mean".
 *
 * @example
 * ```ts
 * import { createApp } from '@framework/core';
 * import { cache } from '@framework/cache';
 *
 * const app = createApp().use(cache({ ttl: 300 }));
 * app.get('/users/:id', (ctx) => ctx.cache.wrap(`user:${ctx.params.id}`, () => loadUser(ctx.params.id)));
 * ```
 */
export function cache(options: CachePluginOptions = {}): PluginInstance<CacheExports> {
  checkOptions('cache()', options, CACHE_OPTIONS);
  return plugin(options);
}
