import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createApp } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Cache, CacheUnavailableError, cache as cachePlugin, createCache } from '../src/index.ts';
import { RedisRateLimitStore } from '../src/redis.ts';
import { REDIS_URL, rawRedis, recordingLogger, TEST_REDIS } from './helpers.ts';

const TEST_REDIS_OPTIONS = { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port) };

// Commands issued right after a cache is created, before its connection is up, used to be refused
// ("Stream isn't writeable and enableOfflineQueue options is false"): dropped writes, counters
// reading back undefined. They wait for the first connection now, bounded by the connect timeout.

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

function fresh(options: ConstructorParameters<typeof Cache>[0] = {}) {
  const logger = recordingLogger();
  const cache = createCache({ redis: TEST_REDIS, env: {}, logger, prefix: `first:${randomUUID()}:`, ...options });
  closing.push(() => cache.close());
  return { cache, logger };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('a cache used right after creation (issue 12)', () => {
  it('keeps its first writes and counters: set/get and increment right after createCache()', async () => {
    const { cache } = fresh({ store: 'redis' });
    expect(cache.redis?.status).not.toBe('ready');
    await cache.set('user:1', { name: 'Ada' });
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await cache.increment('views'));
    expect(counts).toEqual([1, 2, 3]);
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' });
    expect(cache.stats().errors).toBe(0);
    expect(await rawRedis().get(`${cache.prefix}views`)).toBe('3');
  });

  it('wrap across two instances created together runs the loader once, and both get its value', async () => {
    const prefix = `first:${randomUUID()}:`;
    const { cache: a } = fresh({ store: 'redis', prefix });
    const { cache: b } = fresh({ store: 'redis', prefix });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { total: 42 };
    };
    const [fromA, fromB] = await Promise.all([a.wrap('report', load), b.wrap('report', load)]);
    expect(fromA).toEqual({ total: 42 });
    expect(fromB).toEqual({ total: 42 });
    expect(loads).toBe(1);
    expect(a.stats().errors + b.stats().errors).toBe(0);
  });

  it('the two-tier cache: a write on one instance right after creation is read and evicted on the other', async () => {
    const prefix = `first:${randomUUID()}:`;
    const tiers = [{ store: 'memory', ttl: 60 }, { store: 'redis' }] as const;
    const { cache: a } = fresh({ tiers, prefix });
    const { cache: b } = fresh({ tiers, prefix });
    await a.set('price', 10);
    expect(await b.get('price')).toBe(10);
    await a.set('price', 12);
    // The eviction reaches b through pub/sub, a moment after a's write returns.
    await vi.waitFor(async () => expect(await b.get('price')).toBe(12), { timeout: 3_000, interval: 20 });
    expect(await b.increment('sold')).toBe(1);
    expect(await a.increment('sold')).toBe(2);
    expect(a.stats().errors + b.stats().errors).toBe(0);
  });

  it('a lazyConnect client given to the rate-limit store connects at its first command, which waits for it', async () => {
    const redis = new Redis({ ...TEST_REDIS_OPTIONS, lazyConnect: true, enableOfflineQueue: false });
    closing.push(async () => redis.disconnect());
    const store = new RedisRateLimitStore(redis, { prefix: `first-rl:${randomUUID()}:` });
    expect(redis.status).toBe('wait');
    expect((await store.increment('client', 60_000)).count).toBe(1);
    expect((await store.increment('client', 60_000)).count).toBe(2);
  });

  it('the plugin: app.cache works at once after use(), before ready()', async () => {
    const prefix = `first:${randomUUID()}:`;
    const app = createApp({ logger: false }).use(
      cachePlugin({ redis: TEST_REDIS, env: {}, prefix, logger: recordingLogger() }),
    );
    closing.push(() => app.stop());
    expect(await app.cache.increment('boot')).toBe(1);
    expect(await app.cache.get('boot')).toBe(1);
  });
});

describe('Redis not there when the cache is created (issue 12)', () => {
  let services: Services;
  let url: string;
  beforeAll(async () => {
    services = await startServices({ redis: true, env: {}, log: () => {} });
    url = services.env.REDIS_URL ?? '';
  });
  afterAll(() => services.stop());

  it('commands wait for a Redis that comes up within the connect timeout, and succeed', async () => {
    await services.halt('redis', { signal: 'SIGKILL' });
    const { cache } = fresh({ store: 'redis', redis: url, connectTimeout: 10_000 });
    const write = cache.set('early', 'kept');
    const count = cache.increment('early-count');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await services.resume('redis');
    await write;
    expect(await count).toBe(1);
    expect(await cache.get('early')).toBe('kept');
    expect(cache.stats().errors).toBe(0);
  });

  it('with nothing listening, the first commands fail after the connect timeout (miss, dropped write), later ones at once', async () => {
    const port = await closedPort();
    const { cache, logger } = fresh({ store: 'redis', redis: `redis://127.0.0.1:${port}`, connectTimeout: 1_000 });
    const started = Date.now();
    const [value, written, count] = await Promise.all([cache.get('k'), cache.set('k', 1), cache.increment('n')]);
    const waited = Date.now() - started;
    expect(value).toBeUndefined();
    expect(written).toBeUndefined();
    expect(count).toBeUndefined();
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(3_000);
    const later = Date.now();
    expect(await cache.get('k')).toBeUndefined();
    expect(Date.now() - later).toBeLessThan(200);
    expect(cache.stats().errors).toBe(4);
    expect(logger.lines.map((line) => line.message)).toEqual([expect.stringMatching(/^Redis is not reachable/)]);
  });

  it('strict: the first command answers 503 with Retry-After after the connect timeout', async () => {
    const port = await closedPort();
    const { cache } = fresh({
      store: 'redis',
      redis: `redis://127.0.0.1:${port}`,
      connectTimeout: 1_000,
      strict: true,
    });
    const started = Date.now();
    const error = await cache.get('k').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect(error).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });
});
