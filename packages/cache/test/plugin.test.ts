import { randomUUID } from 'node:crypto';
import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { cache } from '../src/index.ts';
import { REDIS_URL, rawRedis, recordingLogger } from './helpers.ts';

describe('the cache() plugin', () => {
  it('without Redis: an in-process cache on ctx.cache, no app.redis, no Redis health check', async () => {
    const app = createApp({ logger: false }).use(cache({ env: {} }));
    let loads = 0;
    app.get('/answer', (ctx) => ctx.cache.wrap('answer', async () => ({ value: 42, loads: ++loads })));
    await app.ready();
    expect(await (await app.request('/answer')).json()).toEqual({ value: 42, loads: 1 });
    expect(await (await app.request('/answer')).json()).toEqual({ value: 42, loads: 1 });
    expect(app.redis).toBeUndefined();
    expect(app.cache.stats().store).toBe('memory');
    expect((await app.health()).checks).toEqual({});
    await app.stop();
  });

  it('with REDIS_URL: Redis behind ctx.cache, app.redis for other plugins, a health check, closed on stop', async () => {
    const prefix = `plugin:${randomUUID()}:`;
    const app = createApp({ logger: false }).use(cache({ env: { REDIS_URL }, prefix, logger: recordingLogger() }));
    app.post('/visits', async (ctx) => ({ visits: await ctx.cache.increment('visits') }));
    await app.ready();
    expect(app.cache.stats().store).toBe('redis');
    expect(await (await app.request('/visits', { method: 'POST' })).json()).toEqual({ visits: 1 });
    expect(await (await app.request('/visits', { method: 'POST' })).json()).toEqual({ visits: 2 });
    expect(await rawRedis().get(`${prefix}visits`)).toBe('2');
    expect(await app.redis?.ping()).toBe('PONG');
    expect((await app.health()).checks.redis?.status).toBe('up');
    await app.stop();
    expect(app.redis?.status).toBe('end');
  });

  it('starts with Redis unreachable, logs it, and serves misses', async () => {
    const logger = recordingLogger();
    // Nothing listens on port 1.
    const app = createApp({ logger: false }).use(
      cache({ redis: 'redis://127.0.0.1:1', env: {}, logger, connectTimeout: 300 }),
    );
    app.get('/', (ctx) => ctx.cache.wrap('k', async () => 'from the source'));
    await app.ready();
    expect(await (await app.request('/')).text()).toBe('from the source');
    expect(app.cache.stats().errors).toBeGreaterThan(0);
    await app.stop();
  });

  it('refuses store: redis without a connection at use(), saying how to give one', () => {
    const app = createApp({ logger: false });
    expect(() => app.use(cache({ store: 'redis', env: {} }))).toThrow(/set REDIS_URL/);
  });

  it('refuses a URL that is not a Redis URL at use()', () => {
    const app = createApp({ logger: false });
    expect(() => app.use(cache({ redis: 'http://localhost:6379', env: {} }))).toThrow(/redis:\/\/host:port/);
  });
});
