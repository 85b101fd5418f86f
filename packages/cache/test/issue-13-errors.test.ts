import { createApp, ERROR_CODES, FrameworkError, isFrameworkError, isHttpError } from '@framework/core';
import { closedPort, errorCodesIn } from '@framework/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CACHE_ERROR_CODES,
  CacheError,
  CacheUnavailableError,
  cache as cachePlugin,
  createCache,
  RedisUnavailableError,
} from '../src/index.ts';
import { makeCache, TEST_REDIS } from './helpers.ts';

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

describe('the cache errors are framework errors with registered codes', () => {
  it('every code the package raises is in CACHE_ERROR_CODES, with the FW_CACHE_ prefix', () => {
    const thrown = [...errorCodesIn(new URL('../src', import.meta.url))];
    expect(thrown.filter((code) => !(code in CACHE_ERROR_CODES) && !(code in ERROR_CODES))).toEqual([]);
    expect(thrown.filter((code) => !code.startsWith('FW_CACHE_'))).toEqual([]);
    for (const code of Object.keys(CACHE_ERROR_CODES)) expect(thrown).toContain(code);
  });

  it('CacheError, CacheUnavailableError and RedisUnavailableError extend the core base', () => {
    const misuse = new CacheError('FW_CACHE_CONFIG', 'x');
    const strict = new CacheUnavailableError('get', new Error('down'));
    const refused = new RedisUnavailableError('closed', 2);
    for (const error of [misuse, strict, refused]) {
      expect(error).toBeInstanceOf(FrameworkError);
      expect(isFrameworkError(error, CACHE_ERROR_CODES)).toBe(true);
    }
    expect(isHttpError(misuse)).toBe(false);
    expect(refused.code).toBe('FW_CACHE_REDIS_UNAVAILABLE');
  });

  it('a misuse is a CacheError with a registered code, from the real code path', async () => {
    const cache = await makeCache('redis');
    const error = await cache.set('fn', { run: () => 1 }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isFrameworkError(error, CACHE_ERROR_CODES) && error.code).toBe('FW_CACHE_UNSERIALIZABLE');
  });

  it('Redis unreachable: the strict cache answers 503 FW_CACHE_UNAVAILABLE, the Redis error under it is FW_CACHE_REDIS_UNAVAILABLE', async () => {
    const port = await closedPort();
    const cache = createCache({
      store: 'redis',
      redis: { ...TEST_REDIS, url: `redis://127.0.0.1:${port}` },
      connectTimeout: 500,
      strict: true,
      env: {},
      logger: { warn: () => {}, info: () => {} },
    });
    closing.push(() => cache.close());
    const error = await cache.get('k').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isFrameworkError(error, CACHE_ERROR_CODES) && error.code).toBe('FW_CACHE_UNAVAILABLE');
    const cause = error instanceof Error ? error.cause : undefined;
    expect(isHttpError(cause) && cause.code).toBe('FW_CACHE_REDIS_UNAVAILABLE');
    expect(isHttpError(cause) && cause.status).toBe(503);

    const app = createApp({ logger: false }).use(
      cachePlugin({ store: 'redis', redis: `redis://127.0.0.1:${port}`, connectTimeout: 500, strict: true, env: {} }),
    );
    app.get('/', async (ctx) => ctx.cache.get('k'));
    closing.push(() => app.stop().catch(() => undefined));
    const response = await app.request('/');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ status: 503, code: 'FW_CACHE_UNAVAILABLE' });
  });
});
