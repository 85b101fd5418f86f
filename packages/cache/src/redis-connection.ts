import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Breaker, checkOptions, createBreaker, type KnownOptions, type Logger } from '@framework/core';
import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { CacheError, RedisUnavailableError } from './errors.ts';

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
 * The defaults for a Redis on the request path (cache, rate limiter, sessions): a command that gets no
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
 * not once per reconnection attempt. `overrides.connectTimeout` replaces the connect timeout of a
 * URL or of options (it also bounds how long commands issued before the first connection wait).
 *
 * @example
 * ```ts
 * const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * await redis.set('greeting', 'hello');
 * ```
 */
export function createRedis(
  connection: RedisConnectionOptions,
  logger?: Pick<Logger, 'warn' | 'info'>,
  overrides: { connectTimeout?: number } = {},
): RedisClient {
  if (isRedisClient(connection)) {
    redisGuard(connection, { logger });
    return connection;
  }
  const timeout = overrides.connectTimeout === undefined ? {} : { connectTimeout: overrides.connectTimeout };
  let client: RedisClient;
  if (typeof connection === 'string') {
    client = new Redis(checkUrl(connection), { ...REQUEST_PATH_DEFAULTS, ...timeout });
  } else if ('cluster' in connection) {
    checkOptions('the redis option { cluster, options }', connection, CLUSTER_OPTIONS);
    const { redisOptions, ...options } = connection.options ?? {};
    client = new Cluster(connection.cluster, {
      enableOfflineQueue: false,
      ...options,
      redisOptions: { ...REQUEST_PATH_DEFAULTS, ...redisOptions, ...timeout },
    });
  } else {
    const { url, ...options } = connection;
    client =
      url === undefined
        ? new Redis({ ...REQUEST_PATH_DEFAULTS, ...options, ...timeout })
        : new Redis(checkUrl(url), { ...REQUEST_PATH_DEFAULTS, ...options, ...timeout });
  }
  redisGuard(client, { logger, connectTimeout: overrides.connectTimeout });
  return client;
}

const CLUSTER_OPTIONS: KnownOptions<{ cluster: ClusterNode[]; options?: ClusterOptions }> = {
  cluster: true,
  options: true,
};

/** Consecutive commands without an answer (timeouts, a dead socket) that open a connection's breaker. */
const BREAKER_FAILURES = 3;
/** Milliseconds between the open breaker's PINGs. */
const BREAKER_COOL_DOWN = 1_000;
/** Milliseconds a PING of the open breaker may take. */
const BREAKER_PROBE_TIMEOUT = 1_000;

/**
 * Replies with which Redis says it cannot serve now (still loading, busy with a script, a cluster
 * or replica without its master): outages, unlike errors about a command (`WRONGTYPE`).
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * Whether a failed command says Redis is unavailable (no answer, no connection), not that the
 * command was wrong: what the breaker counts, and what the connection (not each caller) logs.
 *
 * @example
 * ```ts
 * if (!isOutage(error)) logger.warn({ err: error }, 'a Redis command failed');
 * ```
 */
export function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error instanceof CacheError) return false;
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLY.test(error.message);
  return true;
}

/**
 * How the cache and the rate-limit store send commands on one connection, shared by everything
 * that uses that connection:
 *
 * - before the connection is first established, commands wait for it, at most the connect timeout
 *   (counted from when the connection was made), then fail at once;
 * - an established connection that dropped fails commands at once (no offline queue) until it is
 *   back;
 * - after `BREAKER_FAILURES` commands in a row got no answer (a Redis that hangs: SIGSTOP, a full
 *   network buffer), a circuit breaker fails commands at once while a background PING checks for
 *   recovery, so a hung Redis costs a few slow requests, not all of them.
 *
 * Failing at once means rejecting with `RedisUnavailableError` (503, `Retry-After`). The guard logs
 * one line when Redis is lost (connection dropped, or the breaker opened) and one when it is back.
 *
 * @example
 * ```ts
 * const guard = redisGuard(redis, { logger: app.logger });
 * const value = await guard.run(() => redis.get('k'));
 * ```
 */
export class RedisGuard {
  readonly client: RedisClient;
  readonly breaker: Breaker;
  logger: Pick<Logger, 'warn' | 'info'> | undefined;
  /** Until the first connection: resolves `true` once connected, `false` past the connect timeout. */
  private firstConnection: Promise<boolean> | undefined;
  private readonly connectTimeout: number;
  private everReady: boolean;
  private down = false;
  private closed = false;
  private readonly onError = (error: Error) => this.lost(error, this.everReady ? 'closed' : 'unreachable');
  private readonly onClose = () => {
    if (this.everReady) this.lost(undefined, 'closed');
  };
  private readonly onReady = () => {
    this.everReady = true;
    // A new connection: what failed on the old socket says nothing about this one.
    if (this.breaker.state !== 'closed') this.breaker.succeeded();
    this.back();
  };

  constructor(client: RedisClient, options: { logger?: Pick<Logger, 'warn' | 'info'>; connectTimeout?: number } = {}) {
    this.client = client;
    this.logger = options.logger;
    this.connectTimeout = options.connectTimeout ?? connectTimeoutOf(client);
    this.everReady = client.status === 'ready';
    this.breaker = createBreaker({
      name: 'Redis',
      failures: BREAKER_FAILURES,
      coolDown: BREAKER_COOL_DOWN,
      probeTimeout: BREAKER_PROBE_TIMEOUT,
      probe: () => client.ping(),
      // The breaker's opening and recovery are this connection's loss and return: one pair of lines.
      logger: {
        warn: (fields) => this.lost(fields.err, isTimeout(fields.err) ? 'hung' : 'closed'),
        info: () => this.back(),
      },
    });
    // A lazy client (`lazyConnect`) connects at its first command: its window starts there.
    if (!this.everReady && client.status !== 'wait') this.awaitFirstConnection();
    client.on('error', this.onError);
    client.on('close', this.onClose);
    client.on('ready', this.onReady);
  }

  /**
   * Runs one command (or a few, as one unit) under the rules above; its outcome feeds the breaker.
   *
   * @example
   * ```ts
   * await redisGuard(redis).run(() => redis.set('k', 'v'));
   * ```
   */
  run<T>(command: () => Promise<T>): Promise<T> {
    if (this.client.status === 'ready') {
      if (!this.breaker.allow()) return Promise.reject(this.unavailable('hung'));
      let pending: Promise<T>;
      try {
        pending = command();
      } catch (error) {
        return Promise.reject(error);
      }
      return pending.then(
        (value) => {
          this.breaker.succeeded();
          return value;
        },
        (error: unknown) => {
          if (isOutage(error)) this.breaker.failed(error);
          throw error;
        },
      );
    }
    if (this.client.status === 'wait' && !this.closed) {
      this.client.connect().catch(() => {});
      this.awaitFirstConnection();
    }
    const first = this.firstConnection;
    if (first !== undefined && !this.closed) {
      return first.then((ready) => (ready ? this.run(command) : Promise.reject(this.unavailable('unreachable'))));
    }
    return Promise.reject(this.unavailable(this.everReady ? 'closed' : 'unreachable'));
  }

  /**
   * Resolves `true` once connected, or `false` after `timeout` ms; connects a lazy client.
   *
   * @example
   * ```ts
   * if (!(await redisGuard(redis).ready(2_000))) console.warn('Redis is not there yet');
   * ```
   */
  ready(timeout: number): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    if (this.client.status === 'wait') this.client.connect().catch(() => {});
    return whenReady(this.client, timeout);
  }

  private awaitFirstConnection(): void {
    if (this.firstConnection !== undefined) return;
    this.firstConnection = whenReady(this.client, this.connectTimeout).then((ready) => {
      this.firstConnection = undefined;
      return ready;
    });
  }

  /** The error a command gets when it fails at once. */
  private unavailable(why: 'hung' | 'closed' | 'unreachable'): RedisUnavailableError {
    const retryAfter = why === 'hung' ? this.breaker.retryAfter() : 1;
    const reason =
      why === 'hung'
        ? `it stopped answering; checked again every ${BREAKER_COOL_DOWN} ms`
        : why === 'closed'
          ? 'the connection was lost; reconnecting'
          : `it could not be reached within ${this.connectTimeout} ms; check that it runs and that REDIS_URL points at it`;
    return new RedisUnavailableError(reason, retryAfter);
  }

  private lost(error: unknown, why: 'hung' | 'closed' | 'unreachable'): void {
    if (this.down || this.closed) return;
    this.down = true;
    const message =
      why === 'hung'
        ? `Redis is not answering (${BREAKER_FAILURES} commands in a row got no answer); the cache serves misses and the rate limiter applies its fail-open/failClosed policy at once, and a PING checks it every ${BREAKER_COOL_DOWN} ms`
        : why === 'closed'
          ? 'Redis connection lost; the cache serves misses until it is back (reconnecting)'
          : 'Redis is not reachable; the cache serves misses until it is (reconnecting). Check that Redis runs and that REDIS_URL points at it';
    this.logger?.warn({ err: error ?? new Error('connection closed') }, message);
  }

  private back(): void {
    if (!this.down || this.closed) return;
    if (this.client.status !== 'ready' || this.breaker.state !== 'closed') return;
    this.down = false;
    this.logger?.info({}, 'Redis connection is back');
  }

  /**
   * Stops the breaker's probe and the logging (the connection is being closed on purpose).
   *
   * @example
   * ```ts
   * redisGuard(redis).close();
   * ```
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.breaker.close();
    // An ioredis client must always have an error listener: keep a silent one.
    this.client.on('error', () => {});
    this.client.off('error', this.onError);
    this.client.off('close', this.onClose);
    this.client.off('ready', this.onReady);
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && /timed out|no answer/i.test(error.message);
}

function connectTimeoutOf(client: RedisClient): number {
  const options = client instanceof Cluster ? client.options.redisOptions : client.options;
  return options?.connectTimeout ?? 10_000;
}

const guards = new WeakMap<RedisClient, RedisGuard>();

/**
 * The guard of a connection (see `RedisGuard`), made on first use: one per connection, so the
 * cache, the rate-limit store and anything else on `app.redis` share one breaker and one pair of
 * log lines. The first caller that gives a logger sets it.
 *
 * @example
 * ```ts
 * const guard = redisGuard(app.redis, { logger: app.logger });
 * ```
 */
export function redisGuard(
  client: RedisClient,
  options: { logger?: Pick<Logger, 'warn' | 'info'> | undefined; connectTimeout?: number | undefined } = {},
): RedisGuard {
  let guard = guards.get(client);
  if (guard === undefined) {
    guard = new RedisGuard(client, {
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }),
    });
    guards.set(client, guard);
  } else if (guard.logger === undefined && options.logger !== undefined) {
    guard.logger = options.logger;
  }
  return guard;
}

/**
 * Closes a connection `createRedis` opened, without logging its own closing as an outage: QUIT
 * when connected (waiting at most a second for it, so a Redis that hangs cannot hold the app's
 * stop), else it just stops reconnecting.
 *
 * @example
 * ```ts
 * app.onClose(() => closeRedis(redis));
 * ```
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  guards.get(client)?.close();
  client.on('error', () => {});
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    // Not connected (Redis down, or already disconnecting): nothing to say goodbye to; stop reconnecting.
    client.disconnect();
    return;
  }
  const ended = once(client, 'end').then(
    () => true,
    () => false,
  );
  client.quit().catch(() => {});
  if (!(await Promise.race([ended, sleep(QUIT_TIMEOUT, false, { ref: false })]))) {
    // No answer (Redis hangs): drop the socket now (ioredis would half-close it and wait seconds
    // for the peer, holding the process open).
    client.disconnect();
    if (client instanceof Redis) client.stream?.destroy();
    await Promise.race([ended, sleep(100, false, { ref: false })]);
  }
}

/** Milliseconds `closeRedis` waits for QUIT's answer before dropping the socket. */
const QUIT_TIMEOUT = 1_000;

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
