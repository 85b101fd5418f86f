import { createApp } from '@framework/core';
import type { Cluster, Redis } from 'ioredis';
import { describe, expectTypeOf, it } from 'vitest';
import { type Cache, cache, createCache } from '../src/index.ts';

describe('cache types', () => {
  it('types ctx.cache, app.cache and app.redis through the plugin', () => {
    const app = createApp().use(cache());
    expectTypeOf(app.cache).toEqualTypeOf<Cache>();
    expectTypeOf(app.redis).toEqualTypeOf<Redis | Cluster | undefined>();
    app.get('/', (ctx) => {
      expectTypeOf(ctx.cache).toEqualTypeOf<Cache>();
      return 'ok';
    });
    // @ts-expect-error: without the plugin there is no ctx.cache
    createApp().get('/', (ctx) => ctx.cache);
  });

  it('get is typed by its type argument, wrap and memoize by the loader', async () => {
    const c = createCache();
    expectTypeOf(await c.get<{ name: string }>('user:1')).toEqualTypeOf<{ name: string } | undefined>();
    expectTypeOf(await c.get('x')).toEqualTypeOf<unknown>();
    expectTypeOf(await c.wrap('k', async () => ({ id: 1 }))).toEqualTypeOf<{ id: number }>();
    expectTypeOf(await c.wrap('k', () => 'sync')).toEqualTypeOf<string>();
    const memo = c.memoize(async (a: string, b: number) => a.repeat(b), { key: (a, b) => `${a}:${b}` });
    expectTypeOf(memo).toEqualTypeOf<(a: string, b: number) => Promise<string>>();
    // @ts-expect-error: wrong argument types for the memoized function
    memo(1, 'a');
    // @ts-expect-error: the key function gets the memoized function's parameters
    c.memoize(async (id: number) => id, { key: (id: string) => id });
    // @ts-expect-error: tags are strings
    await c.set('k', 1, { tags: [1] });
    // A ttl is seconds as a bare number or a string with a unit (core's Duration).
    await c.set('k', 1, { ttl: '5m' });
    await c.set('k', 1, { ttl: 300 });
    // @ts-expect-error: a unit the Duration type does not know
    await c.set('k', 1, { ttl: '5 minutes' });
    expectTypeOf(await c.increment('n')).toEqualTypeOf<number | undefined>();
    expectTypeOf(await c.delete('k')).toEqualTypeOf<boolean>();
    expectTypeOf(await c.delete(['a', 'b'])).toEqualTypeOf<number>();
  });

  it('only known stores and serializers are accepted', () => {
    // @ts-expect-error: no such store
    createCache({ store: 'disk' });
    // @ts-expect-error: no such serializer
    createCache({ serializer: 'xml' });
    // @ts-expect-error: memory in front of Redis, not the other way round
    createCache({ tiers: [{ store: 'redis' }, { store: 'memory' }] });
  });
});
