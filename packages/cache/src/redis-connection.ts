import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@framework/core';
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { CacheError } from './errors.ts';

/** A connection the cache (and the rate limiter, sessions, queues) can use: one Redis, or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * Where the app's Redis is: a URL (`redis://`, `rediss://` for TLS), ioredis options (Sentinel with
 * `sentinels` and `name`), `{ cluster: nodes, options }` for Redis Cluster, or a client you made.
 * Options are passed to ioredis as they are, over the request-path defaults below.
 *
 * @example
 * ```ts
 * createRedis('redis://127.0.0.1:6379/0');
 * createRedis({ sentinels: [{ host: '10.0.0.5', port: 26379 }], name: 'mymaster' });
 * createRedis({ cluster: [{ host: '10.0.0.7', port: 6379 }], options: { scaleReads: 'slave' } });
 * ```
 */
export type RedisConnectionOptions =
  | string
  | (RedisOptions & { url?: string })
  | { cluster: ClusterNode[]; options?: ClusterOptions }
  | RedisClient;

/**
 * The defaults for a Redis on the request path (security-cases row 25): a command that gets no
 * answer in 250 ms fails instead of holding the request; with the connection down commands fail at
 * once instead of piling up in memory (no offline queue); one retry at most; reconnection forever,
 * backing off to 2 s.
 *
 * @example
 * ```ts
 * new Redis(url, { ...REQUEST_PATH_DEFAULTS, commandTimeout: 500 });
 * ```
 */
export const REQUEST_PATH_DEFAULTS: RedisOptions = {
  commandTimeout: 250,
  enableOfflineQueue: false,
  // ioredis's ready check sends INFO on every (re)connection; with no offline queue, a connection
  // that drops between connecting and that INFO rejects it as an unhandled promise (seen when
  // Redis was killed mid-reconnect), which crashes a Node process by default. Without it, a Redis
  // still loading its data answers LOADING errors: misses, like any other failure.
  enableReadyCheck: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  retryStrategy: (times: number) => Math.min(times * 100, 2_000),
};

/**
 * Whether `value` is an ioredis client (a `Redis` or a `Cluster`) rather than options.
 *
 * @example
 * ```ts
 * isRedisClient(new Redis()); // true
 * ```
 */
export function isRedisClient(value: unknown): value is RedisClient {
  return value instanceof Redis || value instanceof Cluster;
}

/**
 * Opens a Redis connection with the request-path defaults, its errors always listened to (an
 * ioredis client without an `error` listener crashes the process) and logged once per outage,
 * not once per reconnection attempt.
 *
 * @example
 * ```ts
 * const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * await redis.set('greeting', 'hello');
 * ```
 */
export function createRedis(connection: RedisConnectionOptions, logger?: Pick<Logger, 'warn' | 'info'>): RedisClient {
  if (isRedisClient(connection)) return connection;
  let client: RedisClient;
  if (typeof connection === 'string') {
    client = new Redis(checkUrl(connection), { ...REQUEST_PATH_DEFAULTS });
  } else if ('cluster' in connection) {
    const { redisOptions, ...options } = connection.options ?? {};
    client = new Cluster(connection.cluster, {
      enableOfflineQueue: false,
      ...options,
      redisOptions: { ...REQUEST_PATH_DEFAULTS, ...redisOptions },
    });
  } else {
    const { url, ...options } = connection;
    client =
      url === undefined
        ? new Redis({ ...REQUEST_PATH_DEFAULTS, ...options })
        : new Redis(checkUrl(url), { ...REQUEST_PATH_DEFAULTS, ...options });
  }
  watchConnection(client, logger);
  return client;
}

/**
 * Attaches the error listener and logs outages: one warning when the connection is lost, one line
 * when it is back.
 */
export function watchConnection(client: RedisClient, logger?: Pick<Logger, 'warn' | 'info'>): () => void {
  let ready = false;
  let down = false;
  const lost = (error?: Error) => {
    if (down) return;
    down = true;
    logger?.warn(
      { err: error ?? new Error('connection closed') },
      'Redis connection lost; the cache serves misses until it is back (reconnecting)',
    );
  };
  const onError = (error: Error) => lost(error);
  const onClose = () => {
    if (ready) lost();
    ready = false;
  };
  const onReady = () => {
    ready = true;
    if (!down) return;
    down = false;
    logger?.info({}, 'Redis connection is back');
  };
  client.on('error', onError);
  client.on('close', onClose);
  client.on('ready', onReady);
  const unwatch = () => {
    // An ioredis client must always have an error listener: keep a silent one.
    client.on('error', () => {});
    client.off('error', onError);
    client.off('close', onClose);
    client.off('ready', onReady);
  };
  unwatchers.set(client, unwatch);
  return unwatch;
}

const unwatchers = new WeakMap<RedisClient, () => void>();

/**
 * Closes a connection `createRedis` opened, without logging its own closing as an outage: QUIT
 * when connected (resolving once the socket is closed, so the process can exit), else it just
 * stops reconnecting.
 *
 * @example
 * ```ts
 * app.onClose(() => closeRedis(redis));
 * ```
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  unwatchers.get(client)?.();
  if (client.status === 'end') return;
  const ended = once(client, 'end');
  try {
    await client.quit();
  } catch {
    // Not connected (Redis down): nothing to say goodbye to; stop reconnecting.
    client.disconnect();
    return;
  }
  await Promise.race([ended, sleep(2_000, undefined, { ref: false })]);
}

function checkUrl(url: string): string {
  if (!/^rediss?:\/\//.test(url)) {
    throw new CacheError(
      'FW_CACHE_CONFIG',
      `${JSON.stringify(url)} is not a Redis URL; write redis://host:port (or rediss:// for TLS), e.g. redis://127.0.0.1:6379.`,
    );
  }
  return url;
}

/**
 * Resolves once the client is connected, or after `timeout` ms (resolving `false`) so an app whose
 * Redis is down still starts and serves misses.
 *
 * @example
 * ```ts
 * if (!(await whenReady(redis, 2_000))) console.warn('starting without Redis');
 * ```
 */
export function whenReady(client: RedisClient, timeout: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeout);
    client.on('ready', onReady);
  });
}
