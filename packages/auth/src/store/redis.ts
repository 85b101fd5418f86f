import { type Breaker, checkOptions, createBreaker, type KnownOptions } from '@framework/core';
import { Cluster, type Redis } from 'ioredis';
import { AuthConfigError, AuthStoreUnavailableError } from '../errors.ts';
import type { AuthStore } from './types.ts';

/**
 * Options of the Redis auth store.
 *
 * @example
 * ```ts
 * new RedisAuthStore(app.redis, { prefix: 'myapp:auth:', timeoutMs: 500 });
 * ```
 */
export interface RedisAuthStoreOptions {
  /** Put before every key, so auth's keys never meet the cache's or another app's. Default `'auth:'`. */
  prefix?: string;
  /**
   * Milliseconds a command may take when the client has no `commandTimeout` of its own (the app's
   * `app.redis` has 250 ms), and at most how long the first command waits for the first
   * connection. Default 1 000.
   */
  timeoutMs?: number;
}

const OPTIONS: KnownOptions<RedisAuthStoreOptions> = { prefix: true, timeoutMs: true };

/** Replies with which Redis says it cannot serve now: outages, unlike an error about the command. */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

function isOutage(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return true;
  return UNAVAILABLE_REPLY.test(error.message);
}

function commandTimeoutOf(client: Redis | Cluster): number | undefined {
  const timeout =
    client instanceof Cluster ? client.options.redisOptions?.commandTimeout : client.options.commandTimeout;
  return typeof timeout === 'number' && timeout > 0 ? timeout : undefined;
}

/**
 * The auth store on Redis, for apps with several instances: sessions, refresh-token families and
 * one-time tokens are shared, and survive a restart of the app. It uses a client the app already
 * has (`app.redis` from `@framework/cache`) and never closes it.
 *
 * Every call is bounded. With the client's own `commandTimeout` (the app's client has 250 ms) that
 * bounds each command; without one, each call is raced against `timeoutMs`. While the connection
 * is down calls fail at once without being queued (so nothing reported as failed runs later,
 * when Redis is back), and after three calls in a row got no answer (a frozen Redis) a breaker
 * fails them at once while a background `PING` waits for Redis to answer again. A failure of any
 * kind rejects with `AuthStoreUnavailableError` (503 with `Retry-After`): a request that needs the
 * store is refused, never let through and never left waiting.
 *
 * `take` is `GETDEL` (Redis 6.2 or later), `add` is `SET NX PX`, a set's member and its expiry are
 * written in one `MULTI`. On Redis Cluster every command touches one key, so no hash tags are needed.
 *
 * @example
 * ```ts
 * import { createApp } from '@framework/core';
 * import { cache } from '@framework/cache';
 *
 * const app = createApp().use(cache({ redis: process.env.REDIS_URL }));
 * const store = new RedisAuthStore(app.redis!, { prefix: 'auth:' });
 * await store.set('session:abc', '{}', 60_000);
 * ```
 */
export class RedisAuthStore implements AuthStore {
  readonly kind = 'redis';
  readonly client: Redis | Cluster;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  /** `undefined` when the client bounds its commands itself. */
  private readonly raceMs: number | undefined;
  private readonly breaker: Breaker;
  private everReady: boolean;
  private firstConnection: Promise<boolean> | undefined;
  private readonly onReady = () => {
    this.everReady = true;
  };

  constructor(client: Redis | Cluster, options: RedisAuthStoreOptions = {}) {
    try {
      checkOptions('RedisAuthStore', options, OPTIONS);
    } catch (error) {
      throw new AuthConfigError(error instanceof Error ? error.message : String(error));
    }
    const prefix = options.prefix ?? 'auth:';
    if (typeof prefix !== 'string') {
      throw new AuthConfigError(`RedisAuthStore prefix must be a string such as 'auth:'; got ${typeof prefix}.`);
    }
    const timeoutMs = options.timeoutMs ?? 1_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new AuthConfigError(
        `RedisAuthStore timeoutMs must be a number of milliseconds over 0, e.g. 1000; got ${String(timeoutMs)}.`,
      );
    }
    this.client = client;
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.raceMs = commandTimeoutOf(client) === undefined ? timeoutMs : undefined;
    this.everReady = client.status === 'ready';
    client.on('ready', this.onReady);
    this.breaker = createBreaker({
      name: 'Redis (auth store)',
      failures: 3,
      coolDown: 1_000,
      probeTimeout: timeoutMs,
      probe: () => client.ping(),
    });
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  /**
   * Before the first connection, waits for it (at most `timeoutMs`, once for every caller); after
   * it, a connection that is not ready fails at once.
   */
  private connected(): Promise<boolean> | boolean {
    const status = this.client.status;
    if (status === 'ready') return true;
    if (this.everReady || status === 'end' || status === 'close') return false;
    if (this.firstConnection === undefined) {
      const client = this.client;
      if (status === 'wait') client.connect().catch(() => {});
      this.firstConnection = new Promise<boolean>((resolve) => {
        const done = (ready: boolean) => {
          clearTimeout(timer);
          client.off('ready', onReady);
          resolve(ready);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), this.timeoutMs);
        client.on('ready', onReady);
      });
    }
    return this.firstConnection.then((ready) => ready && this.client.status === 'ready');
  }

  private unavailable(cause: unknown): AuthStoreUnavailableError {
    return new AuthStoreUnavailableError('redis', cause, this.breaker.isOpen ? this.breaker.retryAfter() : 1);
  }

  /** Runs one command (or one MULTI) under the rules in the class comment. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (!this.breaker.allow()) throw this.unavailable(new Error('the breaker is open: Redis stopped answering'));
    if (!(await this.connected())) {
      throw this.unavailable(new Error(`the Redis connection is ${this.client.status}, not ready`));
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = command();
      const result =
        this.raceMs === undefined
          ? await pending
          : await Promise.race([
              pending,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new Error(`no answer within ${this.raceMs} ms`)), this.raceMs);
              }),
            ]);
      this.breaker.succeeded();
      return result;
    } catch (error) {
      if (isOutage(error)) this.breaker.failed(error);
      throw this.unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run(() => this.client.get(this.key(key)))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run(() => this.client.set(this.key(key), value, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async add(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.run(() =>
      this.client.set(this.key(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return reply === 'OK';
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.run(() => this.client.getdel(this.key(key)))) ?? undefined;
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const client = this.client;
    const prefixed = keys.map((key) => this.key(key));
    // A multi-key DEL on Cluster fails with CROSSSLOT when the keys live in different slots.
    if (client instanceof Cluster) await this.run(() => Promise.all(prefixed.map((key) => client.unlink(key))));
    else await this.run(() => client.unlink(...prefixed));
  }

  async addMember(set: string, member: string, ttlMs: number): Promise<void> {
    const key = this.key(set);
    const replies = await this.run(() =>
      this.client
        .multi()
        .sadd(key, member)
        .pexpire(key, Math.max(1, Math.ceil(ttlMs)))
        .exec(),
    );
    const failed = replies?.find(([error]) => error !== null)?.[0];
    if (replies === null || failed) throw this.unavailable(failed ?? new Error('the MULTI was discarded'));
  }

  async removeMember(set: string, member: string): Promise<void> {
    await this.run(() => this.client.srem(this.key(set), member));
  }

  async members(set: string): Promise<string[]> {
    return this.run(() => this.client.smembers(this.key(set)));
  }

  /** Stops the breaker's probe; the client is the app's, so it stays open. */
  async close(): Promise<void> {
    this.breaker.close();
    this.client.off('ready', this.onReady);
  }
}
