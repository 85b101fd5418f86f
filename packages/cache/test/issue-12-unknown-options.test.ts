import { createApp, rateLimit } from '@framework/core';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type CacheOptions, cache, createCache } from '../src/index.ts';
import { RedisRateLimitStore } from '../src/redis.ts';

// Misspelled options were caught by TypeScript only: at run time (JavaScript, JSON config, spread
// objects) they were silently ignored. They are errors now, where the options are given, with
// "did you mean".

/** Options as they come from JavaScript or a config file: not checked by TypeScript. */
function untyped<T>(value: Record<string, unknown>): T {
  return value as T;
}

describe('unknown option keys (issue 12)', () => {
  it('cache({ tll }) throws when called, naming the closest option', () => {
    expect(() => cache(untyped<CacheOptions>({ tll: 60 }))).toThrow(
      /cache\(\) has no option "tll"\. Did you mean "ttl"\?/,
    );
  });

  it('createCache({ stor }) throws', () => {
    expect(() => createCache(untyped<CacheOptions>({ stor: 'redis', env: {} }))).toThrow(
      /no option "stor"\. Did you mean "store"\?/,
    );
  });

  it('nested: tiers, compress and the { cluster, options } connection', () => {
    expect(() =>
      createCache({
        env: {},
        redis: { url: 'redis://127.0.0.1:1', lazyConnect: true },
        tiers: [untyped({ store: 'memory', maxsize: '10MB' }), { store: 'redis' }],
      }),
    ).toThrow(/tiers\[0\] has no option "maxsize"\. Did you mean "maxSize"\?/);
    expect(() =>
      createCache({
        env: {},
        redis: { url: 'redis://127.0.0.1:1', lazyConnect: true },
        tiers: [{ store: 'memory' }, untyped({ store: 'redis', tll: 5 })],
      }),
    ).toThrow(/tiers\[1\] has no option "tll"/);
    expect(() => createCache({ env: {}, compress: untyped({ treshold: 10 }) })).toThrow(/Did you mean "threshold"\?/);
    expect(() =>
      createCache({ env: {}, redis: untyped({ cluster: [{ host: '127.0.0.1', port: 7000 }], option: {} }) }),
    ).toThrow(/no option "option"\. Did you mean "options"\?/);
  });

  it('RedisRateLimitStore({ prefx }) throws', () => {
    const redis = new Redis({ lazyConnect: true });
    try {
      expect(() => new RedisRateLimitStore(redis, untyped({ prefx: 'rl:' }))).toThrow(/Did you mean "prefix"\?/);
    } finally {
      redis.disconnect();
    }
  });

  it('per call: set, wrap, increment and memoize refuse unknown keys; known ones still work', async () => {
    const memory = createCache({ env: {} });
    await expect(memory.set('k', 1, untyped({ tll: 5 }))).rejects.toThrow(/cache\.set\(\) has no option "tll"/);
    await expect(memory.wrap('k', () => 1, untyped({ ttll: 5 }))).rejects.toThrow(/Did you mean "ttl"\?/);
    await expect(memory.increment('n', 1, untyped({ tl: 5 }))).rejects.toThrow(/no option "tl"/);
    expect(() => memory.memoize(() => 1, untyped({ kye: () => 'x' }))).toThrow(/Did you mean "key"\?/);
    await memory.set('k', 1, { ttl: 5, tags: ['t'] });
    expect(await memory.wrap('w', () => 2, { ttl: 5, staleWhileRevalidate: 1 })).toBe(2);
    expect(await memory.memoize((a: number) => a * 2, { ttl: 5, key: (a) => `double:${a}` })(4)).toBe(8);
    await memory.close();
  });

  it('the app keeps working with correct options (no false positives on the plugin)', async () => {
    const app = createApp({ logger: false }).use(
      cache({ env: {}, ttl: 60, prefix: 'p:', maxSize: '1MB', strict: false }),
    );
    app.use(rateLimit({ max: 5 }));
    await app.ready();
    await app.stop();
  });
});
