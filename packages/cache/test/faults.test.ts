import { createApp, rateLimit } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Cache, CacheUnavailableError, cache as cachePlugin } from '../src/index.ts';
import { RedisRateLimitStore } from '../src/redis.ts';
import { recordingLogger, sleep } from './helpers.ts';

// A Redis of this file's own, stopped and restarted by the tests: the other files keep theirs.
let services: Services;
let url: string;
const redisPid = () => services.services.redis!.pid;

beforeAll(async () => {
  services = await startServices({ redis: true, env: {}, log: () => {} });
  url = services.env.REDIS_URL!;
});
afterAll(() => services.stop());

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Bring Redis back for the next test whatever happened in this one.
  try {
    process.kill(redisPid(), 'SIGCONT');
  } catch {}
  await services.resume('redis').catch(() => {});
  await Promise.all(closing.splice(0).map((close) => close()));
});

/** Waits generously: ioredis reconnects with a back-off of up to 2 s. */
const eventually = (assertion: () => Promise<void> | void) => vi.waitFor(assertion, { timeout: 15_000, interval: 100 });

async function makeCache(options: ConstructorParameters<typeof Cache>[0] = {}) {
  const logger = recordingLogger();
  const cache = new Cache({ redis: url, env: {}, logger, ...options });
  closing.push(() => cache.close());
  expect(await cache.ready()).toBe(true);
  return { cache, logger };
}

describe('Redis down, then back (the cache degrades to misses)', () => {
  it('reads miss, writes are dropped, counted and logged once; it reconnects on its own', async () => {
    const { cache, logger } = await makeCache();
    await cache.set('user:1', { name: 'Ada' });
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' });

    await services.halt('redis', { signal: 'SIGKILL' });
    const started = Date.now();
    for (let i = 0; i < 50; i++) {
      expect(await cache.get('user:1')).toBeUndefined();
      await cache.set(`user:${i}`, { i });
    }
    expect(await cache.increment('views')).toBeUndefined();
    expect(await cache.deletePattern('user:*')).toBe(0);
    // Fifty reads and writes on a dead Redis: each failed at once, none waited for a timeout.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(cache.stats().errors).toBeGreaterThanOrEqual(102);
    // One line for the outage (the connection's), none per failed command.
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toContainEqual(expect.stringMatching(/^Redis connection lost/)),
    );
    expect(logger.lines).toHaveLength(1);

    await services.resume('redis');
    await eventually(async () => {
      await cache.set('user:1', { name: 'Grace' });
      expect(await cache.get('user:1')).toEqual({ name: 'Grace' });
    });
    expect(logger.lines.map((line) => line.message)).toEqual([
      expect.stringMatching(/^Redis connection lost/),
      'Redis connection is back',
    ]);
  });

  it('keeps no offline queue: commands while down are refused, not piled up in memory', async () => {
    const { cache } = await makeCache();
    await services.halt('redis', { signal: 'SIGKILL' });
    await eventually(() => expect(cache.redis?.status).not.toBe('ready'));
    const writes = Array.from({ length: 5_000 }, (_, i) => cache.set(`k:${i}`, 'x'.repeat(100)));
    // Give the writes time to reach ioredis (each encodes its value first), then look at its queue.
    await sleep(20);
    const queued = (cache.redis as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
    await Promise.all(writes);
    expect(queued).toBe(0);
    expect(cache.stats().errors).toBe(5_000);
    await services.resume('redis');
    await eventually(async () => expect(await cache.redis?.ping()).toBe('PONG'));
    // Nothing written during the outage arrives late.
    expect(await cache.get('k:1')).toBeUndefined();
  });

  it('a Redis that hangs (SIGSTOP) costs a request at most the command timeout', async () => {
    const { cache } = await makeCache();
    await cache.set('k', 'v');
    process.kill(redisPid(), 'SIGSTOP');
    const started = Date.now();
    expect(await cache.get('k')).toBeUndefined();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(waited).toBeLessThan(1_500);
    process.kill(redisPid(), 'SIGCONT');
    await eventually(async () => expect(await cache.get('k')).toBe('v'));
  });

  it('strict: true throws CacheUnavailableError, answered 503 with Retry-After', async () => {
    const app = createApp({ logger: false }).use(
      cachePlugin({ redis: url, env: {}, strict: true, logger: recordingLogger() }),
    );
    app.get('/report', (ctx) => ctx.cache.wrap('report', async () => ({ total: 3 })));
    closing.push(() => app.stop());
    expect((await app.request('/report')).status).toBe(200);
    await services.halt('redis', { signal: 'SIGKILL' });
    const response = await app.request('/report');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ detail: expect.stringMatching(/retry shortly/) });
    await expect(app.cache.get('report')).rejects.toBeInstanceOf(CacheUnavailableError);
  });
});

describe('an app on the cache plugin with Redis failing (CA-01)', () => {
  it('cached GET endpoints answer 200 from the source of truth while Redis is down, and cache again after', async () => {
    let queries = 0;
    const app = createApp({ logger: false }).use(cachePlugin({ redis: url, env: {}, logger: recordingLogger() }));
    app.get('/users/:id', (ctx) =>
      ctx.cache.wrap(`user:${ctx.params.id}`, async () => {
        queries++;
        return { id: Number(ctx.params.id), name: 'Ada' };
      }),
    );
    closing.push(() => app.stop());
    expect((await app.request('/users/1')).status).toBe(200);
    expect((await app.request('/users/1')).status).toBe(200);
    expect(queries).toBe(1);
    expect((await app.health()).checks.redis?.status).toBe('up');

    await services.halt('redis', { signal: 'SIGKILL' });
    for (let i = 0; i < 5; i++) {
      const response = await app.request('/users/1');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: 1, name: 'Ada' });
    }
    expect(queries).toBe(6);
    expect((await app.health(1_000)).checks.redis?.status).toBe('down');

    await services.resume('redis');
    await eventually(async () => expect((await app.health(1_000)).checks.redis?.status).toBe('up'));
    await app.request('/users/1');
    const afterRecovery = queries;
    await app.request('/users/1');
    await app.request('/users/1');
    expect(queries).toBe(afterRecovery);
  });
});

describe('two tiers across a Redis restart', () => {
  it('an instance empties its memory tier when its subscription comes back (it may have missed evictions)', async () => {
    const tiers = [{ store: 'memory', ttl: 60 }, { store: 'redis' }] as const;
    const { cache: a } = await makeCache({ tiers, prefix: 'tiers:' });
    const { cache: b } = await makeCache({ tiers, prefix: 'tiers:' });
    await a.set('price', 10);
    expect(await b.get('price')).toBe(10);
    await services.halt('redis', { signal: 'SIGKILL' });
    // Served from memory while Redis is down.
    expect(await b.get('price')).toBe(10);
    await services.resume('redis');
    // Redis came back empty, and an eviction could have been missed meanwhile: b must not keep serving 10.
    await eventually(async () => expect(await b.get('price')).toBeUndefined());
    await eventually(async () => {
      await a.set('price', 12);
      expect(await b.get('price')).toBe(12);
    });
  });
});

describe('the Redis rate-limit store with Redis down (RL-06)', () => {
  it('fails open by default, 503 with failClosed, and limits again once Redis is back', async () => {
    const { cache } = await makeCache();
    const redis = cache.redis!;
    const makeApp = (failClosed: boolean) =>
      createApp({ logger: false })
        .use(
          rateLimit({
            max: 2,
            window: '1m',
            failClosed,
            logger: false,
            store: new RedisRateLimitStore(redis, { prefix: `rl:${failClosed}:` }),
          }),
        )
        .get('/', () => 'ok');
    const open = makeApp(false);
    const closed = makeApp(true);

    await services.halt('redis', { signal: 'SIGKILL' });
    const started = Date.now();
    expect((await open.request('/')).status).toBe(200);
    expect((await closed.request('/')).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);

    await services.resume('redis');
    await eventually(async () => expect(await redis.ping()).toBe('PONG'));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await open.request('/')).status);
    expect(statuses).toEqual([200, 200, 429]);
    await sleep(0);
  });
});
