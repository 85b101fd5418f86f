import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { cache, createCache } from '../src/index.ts';
import { MemoryCacheStore } from '../src/store/memory.ts';
import { makeCache, recordingLogger, STORES, sleep } from './helpers.ts';

// One way to say time: every time option takes core's Duration. A bare TTL stays seconds (the
// spec's `ttl: 3600`), a string says its unit; connectTimeout's bare number stays milliseconds.
describe.each(STORES)('time options on the %s store', (kind) => {
  it("set(k, v, { ttl: '150ms' }) expires after 150 ms; a bare ttl: 1 is a second", async () => {
    const c = await makeCache(kind);
    await c.set('short', 'a', { ttl: '150ms' });
    await c.set('bare', 'b', { ttl: 1 });
    await sleep(400);
    expect(await c.get('short')).toBeUndefined();
    expect(await c.get('bare')).toBe('b');
  });

  it("createCache({ ttl: '200ms' }) is the default TTL; wrap and increment take strings too", async () => {
    const c = await makeCache(kind, { ttl: '200ms' });
    await c.set('k', 1);
    expect(await c.wrap('w', () => 'v', { ttl: '10m' })).toBe('v');
    expect(await c.increment('n', 1, { ttl: '1h' })).toBe(1);
    await sleep(500);
    expect(await c.get('k')).toBeUndefined();
    expect(await c.get('w')).toBe('v');
    expect(await c.get('n')).toBe(1);
  });
});

describe('time options that cannot be read', () => {
  it('throws FW_CACHE_INVALID_ARGUMENT naming the option, the bare-number unit and the forms', async () => {
    expect(() => createCache({ store: 'memory', env: {}, ttl: -5 })).toThrow(
      /ttl must be a duration: seconds as a number, or a string such as '500ms'.*Use 0 for no expiry/,
    );
    const c = createCache({ store: 'memory', env: {} });
    // @ts-expect-error: not a Duration
    await expect(c.set('k', 1, { ttl: '10 minutes' })).rejects.toMatchObject({ code: 'FW_CACHE_INVALID_ARGUMENT' });
    await c.close();
    // @ts-expect-error: not a Duration
    expect(() => new MemoryCacheStore({ sweepInterval: 'soon' })).toThrow(/sweepInterval must be a duration/);
  });
});

describe("connectTimeout: '300ms'", () => {
  it("an unreachable Redis does not hold the start longer than connectTimeout given as '300ms'", async () => {
    const logger = recordingLogger();
    const app = createApp({ logger: false }).use(
      cache({ redis: 'redis://127.0.0.1:1', env: {}, logger, connectTimeout: '300ms' }),
    );
    const started = Date.now();
    await app.ready();
    expect(Date.now() - started).toBeLessThan(3_000);
    await app.stop();
  });
});
