import { createApp, rateLimit } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cache as cachePlugin } from '../src/index.ts';
import { RedisRateLimitStore } from '../src/redis.ts';
import { recordingLogger } from './helpers.ts';

// A Redis that hangs (SIGSTOP: the connection stays open, nothing answers) used to cost every
// request the command timeout: the rate limiter's 250 ms on each request, ~1 s on a cached page.
// After a few timeouts the connection's breaker opens and everything fails at once (misses, the
// limiter's fail-open/failClosed policy) while a background PING waits for Redis to answer again.

let services: Services;
let url: string;
const redisPid = () => services.services.redis?.pid ?? 0;

beforeAll(async () => {
  services = await startServices({ redis: true, env: {}, log: () => {} });
  url = services.env.REDIS_URL ?? '';
});
afterAll(() => services.stop());

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  try {
    process.kill(redisPid(), 'SIGCONT');
  } catch {}
  await services.resume('redis').catch(() => {});
  await Promise.all(closing.splice(0).map((close) => close()));
});

const eventually = (assertion: () => Promise<void> | void) => vi.waitFor(assertion, { timeout: 10_000, interval: 100 });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** An app with the README's limiter on the cache's connection, a cached page and a plain route. */
function makeApp(failClosed: boolean) {
  const logger = recordingLogger();
  let loads = 0;
  const app = createApp({ logger: false }).use(
    cachePlugin({ redis: url, env: {}, logger, prefix: `hung:${failClosed}:` }),
  );
  const redis = app.redis;
  if (redis === undefined) throw new Error('app.redis is not set after use(cache())');
  const limited = app.use(
    rateLimit({
      max: 1_000,
      window: '1m',
      failClosed,
      logger: false,
      store: new RedisRateLimitStore(redis, { prefix: `hung-rl:${failClosed}:` }),
    }),
  );
  limited.get('/page', (ctx) =>
    ctx.cache.wrap('page', async () => {
      loads++;
      return { html: '<p>hello</p>' };
    }),
  );
  limited.get('/plain', () => 'ok');
  closing.push(() => limited.stop());
  return { app: limited, logger, loads: () => loads };
}

async function timed(app: { request(path: string): Promise<Response> }, path: string) {
  const started = performance.now();
  const response = await app.request(path);
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started, headers: response.headers };
}

describe('a hung Redis (SIGSTOP) trips the breaker (issue 12)', () => {
  it('fail-open: after the first few requests every request answers 200 at once; SIGCONT brings limiting and caching back', async () => {
    const { app, logger, loads } = makeApp(false);
    await app.ready();
    expect((await timed(app, '/page')).status).toBe(200);
    expect(loads()).toBe(1);

    process.kill(redisPid(), 'SIGSTOP');
    const results = [];
    for (let i = 0; i < 40; i++) results.push(await timed(app, i % 2 === 0 ? '/page' : '/plain'));
    expect(results.map((result) => result.status)).toEqual(Array(40).fill(200));
    const late = results.slice(10).map((result) => result.ms);
    // Before: each of these waited for the 250 ms timeouts (about 254 ms, cached pages about 1 s).
    expect(median(late)).toBeLessThan(50);
    expect(Math.max(...late)).toBeLessThan(200);
    expect(app.rateLimit.stats.storeErrors).toBeGreaterThanOrEqual(40);

    process.kill(redisPid(), 'SIGCONT');
    await eventually(async () => {
      const before = app.rateLimit.stats.storeErrors;
      const response = await timed(app, '/plain');
      expect(response.headers.get('ratelimit-remaining')).not.toBeNull();
      expect(app.rateLimit.stats.storeErrors).toBe(before);
    });
    // Caching again: the page is stored once more, then served without loading it.
    await eventually(async () => {
      await timed(app, '/page');
      const after = loads();
      await timed(app, '/page');
      expect(loads()).toBe(after);
    });
    expect(logger.lines.map((line) => line.message)).toEqual([
      expect.stringMatching(/^Redis is not answering/),
      'Redis connection is back',
    ]);
  });

  it('failClosed: after the first few requests, 503 with Retry-After at once; limited again after SIGCONT', async () => {
    const { app } = makeApp(true);
    await app.ready();
    expect((await timed(app, '/plain')).status).toBe(200);
    process.kill(redisPid(), 'SIGSTOP');
    const results = [];
    for (let i = 0; i < 40; i++) results.push(await timed(app, '/plain'));
    expect(results.map((result) => result.status)).toEqual(Array(40).fill(503));
    expect(results.at(-1)?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(median(results.slice(5).map((result) => result.ms))).toBeLessThan(50);
    process.kill(redisPid(), 'SIGCONT');
    await eventually(async () => expect((await timed(app, '/plain')).status).toBe(200));
  });

  it('Redis SIGKILLed and restarted: requests answer at once meanwhile, limiting and caching work again after', async () => {
    const { app, logger, loads } = makeApp(false);
    await app.ready();
    expect((await timed(app, '/page')).status).toBe(200);
    await services.halt('redis', { signal: 'SIGKILL' });
    const results = [];
    for (let i = 0; i < 40; i++) results.push(await timed(app, i % 2 === 0 ? '/page' : '/plain'));
    expect(results.map((result) => result.status)).toEqual(Array(40).fill(200));
    expect(median(results.map((result) => result.ms))).toBeLessThan(50);
    await services.resume('redis');
    await eventually(async () => {
      const before = app.rateLimit.stats.storeErrors;
      await timed(app, '/plain');
      expect(app.rateLimit.stats.storeErrors).toBe(before);
    });
    await eventually(async () => {
      await timed(app, '/page');
      const after = loads();
      await timed(app, '/page');
      expect(loads()).toBe(after);
    });
    expect(logger.lines.map((line) => line.message)).toEqual([
      expect.stringMatching(/^Redis connection lost/),
      'Redis connection is back',
    ]);
  });
});

describe('neighbours on a hung Redis (issue 12)', () => {
  it('tags, patterns and counters fail at once once the breaker is open; nothing piles up in the command queue', async () => {
    const { app } = makeApp(false);
    await app.ready();
    const cache = app.cache;
    await cache.set('post:1', 'a', { tags: ['posts'] });
    process.kill(redisPid(), 'SIGSTOP');
    // The first few wait for the command timeout and open the breaker.
    for (let i = 0; i < 3; i++) await cache.get('post:1');
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      await cache.invalidateTags(['posts']);
      await cache.deletePattern('post:*');
      await cache.increment('n');
      await cache.set(`post:${i}`, 'x');
    }
    expect(performance.now() - started).toBeLessThan(1_000);
    const queue = (app.redis as unknown as { commandQueue: { length: number } }).commandQueue;
    expect(queue.length).toBeLessThanOrEqual(5);
    process.kill(redisPid(), 'SIGCONT');
    await eventually(async () => {
      await cache.invalidateTags(['posts']);
      expect(await cache.get('post:1')).toBeUndefined();
      expect(cache.stats().errors).toBeGreaterThan(0);
    });
  });

  it('a two-tier cache made while Redis hangs: ready() gives up within its timeout, and evictions work after SIGCONT', async () => {
    const tiers = [{ store: 'memory', ttl: 60 }, { store: 'redis' }] as const;
    const a = createApp({ logger: false }).use(
      cachePlugin({
        redis: url,
        env: {},
        tiers,
        prefix: 'hung-tiers:',
        logger: recordingLogger(),
        connectTimeout: 1_000,
      }),
    );
    closing.push(() => a.stop());
    await a.ready();
    process.kill(redisPid(), 'SIGSTOP');
    const b = createApp({ logger: false }).use(
      cachePlugin({
        redis: url,
        env: {},
        tiers,
        prefix: 'hung-tiers:',
        logger: recordingLogger(),
        connectTimeout: 1_000,
      }),
    );
    closing.push(() => b.stop());
    const started = Date.now();
    expect(await b.cache.ready(1_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    process.kill(redisPid(), 'SIGCONT');
    await eventually(async () => {
      await a.cache.set('price', 10);
      expect(await b.cache.get('price')).toBe(10);
    });
    await eventually(async () => {
      await a.cache.set('price', 11);
      expect(await b.cache.get('price')).toBe(11);
    });
  });

  it("wrap waiting for another process's lock loads the value itself when Redis goes away (no 503 from a non-strict cache)", async () => {
    const { app } = makeApp(false);
    await app.ready();
    const redis = app.redis;
    if (redis === undefined) throw new Error('no app.redis');
    // Another process is computing 'report' (holds its lock for 10 s).
    await redis.set(`${app.cache.prefix}#lock:report`, 'elsewhere', 'PX', 10_000);
    const started = Date.now();
    const value = app.cache.wrap('report', async () => ({ total: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await services.halt('redis', { signal: 'SIGKILL' });
    expect(await value).toEqual({ total: 1 });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('app.stop() finishes within 2 s with Redis SIGSTOPped, whatever the command timeout', async () => {
    const tiers = [{ store: 'memory', ttl: 60 }, { store: 'redis' }] as const;
    const app = createApp({ logger: false }).use(
      cachePlugin({ redis: { url, commandTimeout: 30_000 }, env: {}, tiers, logger: recordingLogger() }),
    );
    const redis = app.redis;
    if (redis === undefined) throw new Error('no app.redis');
    app.use(rateLimit({ max: 10, logger: false, store: new RedisRateLimitStore(redis) }));
    await app.ready();
    expect((await app.request('/')).status).toBe(404);
    process.kill(redisPid(), 'SIGSTOP');
    const started = Date.now();
    await app.stop();
    const took = Date.now() - started;
    expect(took).toBeLessThan(2_000);
    expect(redis.status).toBe('end');
  });
});
