import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect } from 'vitest';
import { Cache, type CacheOptions } from '../src/index.ts';

export const REDIS_URL = process.env.REDIS_URL ?? '';
if (REDIS_URL === '')
  throw new Error('REDIS_URL is not set: run these tests through `pnpm test` (test-services starts Redis).');

/**
 * The test Redis with a generous command timeout: these tests check behaviour, and the 250 ms
 * request-path default can pass on a CI machine running every package's tests at once. The
 * fault tests check the timeout itself, on connections of their own.
 */
export const TEST_REDIS = { url: REDIS_URL, commandTimeout: 5_000 };

/** The three stores every behaviour runs on. */
export const STORES = ['memory', 'redis', 'tiered'] as const;
export type StoreKind = (typeof STORES)[number];

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Logged lines, for asserting what the cache said. */
export function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', message, fields }),
    info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', message, fields }),
  };
}

const opened: Cache[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((cache) => cache.close()));
  await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
});

/** A cache on `kind` under a prefix no other test uses, closed after the test. */
export async function makeCache(
  kind: StoreKind,
  options: CacheOptions = {},
  prefix = `t:${randomUUID()}:`,
): Promise<Cache> {
  const base: CacheOptions = { prefix, env: {}, logger: recordingLogger(), ...options };
  const cache =
    kind === 'memory'
      ? new Cache({ ...base, store: 'memory' })
      : kind === 'redis'
        ? new Cache({ redis: TEST_REDIS, ...base, store: 'redis' })
        : new Cache({
            redis: TEST_REDIS,
            ...base,
            tiers: options.tiers ?? [{ store: 'memory', ttl: 60 }, { store: 'redis' }],
          });
  opened.push(cache);
  expect(await cache.ready(5_000)).toBe(true);
  return cache;
}

/** A plain ioredis client on the test Redis, closed after the test. */
export function rawRedis(url = REDIS_URL): Redis {
  const client = new Redis(url);
  clients.push(client);
  return client;
}
