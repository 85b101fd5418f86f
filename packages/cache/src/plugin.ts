import { definePlugin, type PluginInstance } from '@framework/core';
import { Cache } from './cache.ts';
import type { CacheOptions } from './options.ts';
import type { RedisClient } from './redis-connection.ts';

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
 * Options of the `cache()` plugin: the cache's (see `CacheOptions`), plus how long start-up waits
 * for Redis before serving misses.
 *
 * @example
 * ```ts
 * app.use(cache({ ttl: 600, connectTimeout: 2_000 }));
 * ```
 */
export interface CachePluginOptions extends CacheOptions {
  /** Milliseconds the app's start waits for Redis; past it the app starts anyway and the cache misses until Redis is there. Default 5 000. */
  connectTimeout?: number;
}

/**
 * The cache as a plugin: `ctx.cache` in every handler, and the app's Redis connection as
 * `app.redis` (from `redis` or `REDIS_URL`) for the rate limiter, sessions and queues. Without a
 * Redis it is an in-process memory cache, so the app needs no server to start. The connection is
 * closed when the app stops, after in-flight requests finished; `app.health()` pings it.
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
  const plugin = definePlugin<CachePluginOptions, CacheExports>({
    name: '@framework/cache',
    async setup(app, settings) {
      const instance = new Cache({ logger: app.logger, ...settings });
      app.onClose(() => instance.close());
      const redis = instance.redis;
      if (redis !== undefined && !(await instance.ready(settings.connectTimeout ?? 5_000))) {
        app.logger.warn({}, 'Redis is not reachable yet; the app starts and the cache serves misses until it is');
      }
      const health: CacheExports['health'] = redis === undefined ? {} : { redis: () => redis.ping() };
      return { decorate: { cache: instance, redis }, context: { cache: () => instance }, health };
    },
  });
  return plugin(options);
}
