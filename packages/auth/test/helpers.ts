import { randomUUID } from 'node:crypto';
import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { MemoryAuthStore, type MemoryAuthStoreOptions } from '../src/store/memory.ts';
import { RedisAuthStore } from '../src/store/redis.ts';
import type { AuthStore } from '../src/store/types.ts';

/** The two stores every behaviour runs on: the in-process default, and the real Redis of test-services. */
export const STORES = ['memory', 'redis'] as const;
export type StoreKind = (typeof STORES)[number];

/** The test Redis's URL; throws with what to run when the tests were started without test-services. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'REDIS_URL is not set: run these tests through test-services (`pnpm test`, or ' +
        '`../../tooling/test-services/bin/test-services.mjs --redis -- npx vitest run <file>`).',
    );
  }
  return url;
}

/**
 * The app's Redis options in tests: the request-path defaults of @framework/cache with a generous
 * command timeout, as these tests check behaviour on a machine running other tests too. The outage
 * tests check the timeouts themselves, on Redis servers and connections of their own.
 */
export function testRedisOptions(url = redisUrl()) {
  return { url, commandTimeout: 5_000 };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup().catch(() => {})));
});

/** Runs `cleanup` after the current test, whatever its outcome. */
export function afterThisTest(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

/** A plain ioredis client on the test Redis, with no offline queue, closed after the test. */
export function rawRedis(url = redisUrl()): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, commandTimeout: 5_000, lazyConnect: false });
  client.on('error', () => {});
  afterThisTest(() => client.quit().catch(() => client.disconnect()));
  return client;
}

/**
 * A store of `kind`, empty: on Redis under a prefix no other test uses. Closed after the test (the
 * Redis client with it).
 */
export function makeStore(kind: StoreKind, memory: MemoryAuthStoreOptions = {}): AuthStore {
  const store: AuthStore =
    kind === 'memory'
      ? new MemoryAuthStore(memory)
      : new RedisAuthStore(rawRedis(), { prefix: `test:${randomUUID()}:` });
  afterThisTest(async () => store.close?.());
  return store;
}

/** A logger that drops the lines (the Redis connection's loss and recovery). */
export const quiet = { warn: () => {}, info: () => {} };

/**
 * An app for `kind`: on Redis it uses `cache({ redis })`, and `store` is a `RedisAuthStore` on the
 * app's own connection (`app.redis`), as the auth plugin does. The app is stopped after the test.
 */
export function makeApp(kind: StoreKind) {
  if (kind === 'memory') {
    const app = createApp({ logger: false });
    const store: AuthStore = new MemoryAuthStore();
    afterThisTest(async () => {
      await store.close?.();
      await app.stop();
    });
    return { app, store };
  }
  const app = createApp({ logger: false }).use(cache({ redis: testRedisOptions(), env: {}, logger: quiet }));
  const client = app.redis;
  if (client === undefined) throw new Error('cache({ redis }) gave no app.redis');
  const store: AuthStore = new RedisAuthStore(client, { prefix: `test:${randomUUID()}:` });
  afterThisTest(async () => {
    await store.close?.();
    await app.stop();
  });
  return { app, store };
}
