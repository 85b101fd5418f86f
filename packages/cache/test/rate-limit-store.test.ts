import { randomUUID } from 'node:crypto';
import { createApp, rateLimit, storeContract } from '@framework/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore } from '../src/rate-limit-store.ts';
import { createRedis, whenReady } from '../src/redis.ts';
import { TEST_REDIS } from './helpers.ts';

describe("RedisRateLimitStore passes core's RateLimitStore contract", () => {
  const redis = createRedis(TEST_REDIS);
  beforeAll(() => whenReady(redis, 5_000));
  for (const { name, run } of storeContract(() => new RedisRateLimitStore(redis, { prefix: `rl:${randomUUID()}:` }))) {
    it(name, run);
  }
  afterAll(() => redis.quit());
});

describe('rate limiting across app instances (RL-02)', () => {
  it('200 concurrent requests across 4 instances sharing Redis: exactly 100 succeed', async () => {
    const prefix = `rl:${randomUUID()}:`;
    const connections = Array.from({ length: 4 }, () => createRedis(TEST_REDIS));
    await Promise.all(connections.map((redis) => whenReady(redis, 5_000)));
    const apps = connections.map((redis) =>
      createApp({ logger: false })
        .use(rateLimit({ max: 100, window: '1m', store: new RedisRateLimitStore(redis, { prefix }) }))
        .get('/api/thing', () => ({ ok: true })),
    );
    try {
      const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => apps[i % 4]!.request('/api/thing')));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(100);
      expect(statuses.filter((status) => status === 429)).toHaveLength(100);
      const limited = responses.find((response) => response.status === 429)!;
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await Promise.all(connections.map((redis) => redis.quit()));
    }
  });
});
