import { checkOptions, type KnownOptions, type RateLimitStore } from '@framework/core';
import { runScript } from './internal/script.ts';
import { type RedisClient, type RedisGuard, redisGuard } from './redis-connection.ts';

// One script per operation: each is atomic on the server, so a burst across app instances is
// counted exactly: no race between INCR and EXPIRE, so 200 concurrent requests across 4 app
// instances against a limit of 100 let exactly 100 through.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return { count, left }`;

const DECREMENT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 1`;

const BLOCK = `
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/**
 * Options of `RedisRateLimitStore`.
 *
 * @example
 * ```ts
 * new RedisRateLimitStore(app.redis, { prefix: 'myapp:rl:' });
 * ```
 */
export interface RedisRateLimitStoreOptions {
  /** Put in front of every counter and block key. Default `'rl:'`. */
  prefix?: string;
}

const KNOWN: KnownOptions<RedisRateLimitStoreOptions> = { prefix: true };

/**
 * Core's `RateLimitStore` on Redis, so every app instance counts against the same windows: each
 * operation is one Lua script (atomic), counters expire with their window, blocks with their time.
 * It passes core's `storeContract()`. What happens while Redis is down is the rate limiter's
 * policy: fail open by default (served, logged, counted), `failClosed: true` for 503. Commands go
 * through the connection's guard (shared with the cache on the same connection): they wait for the
 * first connection, and fail at once while the connection is down or, after a few timeouts, while
 * Redis hangs, so the policy applies at once instead of after `storeTimeout` on every request.
 *
 * @example
 * ```ts
 * import { createApp, rateLimit } from '@framework/core';
 * import { cache } from '@framework/cache';
 * import { RedisRateLimitStore } from '@framework/cache/redis';
 *
 * const app = createApp().use(cache());
 * if (app.redis) app.use(rateLimit({ max: 100, window: '1m', store: new RedisRateLimitStore(app.redis) }));
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly client: RedisClient;
  private readonly prefix: string;
  private readonly guard: RedisGuard;

  constructor(client: RedisClient, options: RedisRateLimitStoreOptions = {}) {
    checkOptions('RedisRateLimitStore', options, KNOWN);
    this.client = client;
    this.prefix = options.prefix ?? 'rl:';
    this.guard = redisGuard(client);
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const [count, left] = (await this.guard.run(() =>
      runScript(this.client, INCREMENT, [this.prefix + key], [Math.max(1, Math.ceil(windowMs))]),
    )) as [number, number];
    return { count, resetAt: Date.now() + left };
  }

  async decrement(key: string): Promise<void> {
    await this.guard.run(() => runScript(this.client, DECREMENT, [this.prefix + key], []));
  }

  async reset(key: string): Promise<void> {
    // Two keys of different slots on a Cluster: one UNLINK each.
    await this.guard.run(() =>
      Promise.all([this.client.unlink(this.prefix + key), this.client.unlink(`${this.prefix}block:${key}`)]),
    );
  }

  async block(key: string, ms: number): Promise<void> {
    await this.guard.run(() =>
      runScript(this.client, BLOCK, [`${this.prefix}block:${key}`], [Math.max(1, Math.ceil(ms))]),
    );
  }

  async blockedUntil(key: string): Promise<number> {
    const left = await this.guard.run(() => this.client.pttl(`${this.prefix}block:${key}`));
    return left > 0 ? Date.now() + left : 0;
  }

  /** The store does not own the connection: whoever opened it closes it. */
  close(): void {}
}
