import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { Cache } from '../src/index.ts';
import { createRedis, REQUEST_PATH_DEFAULTS, whenReady } from '../src/redis.ts';
import { REDIS_URL, recordingLogger, TEST_REDIS } from './helpers.ts';

describe('createRedis', () => {
  it('opens a URL with the request-path defaults, and options passed win', async () => {
    const redis = createRedis({ url: REDIS_URL, commandTimeout: 500 }) as Redis;
    expect(await whenReady(redis, 5_000)).toBe(true);
    expect(redis.options).toMatchObject({ commandTimeout: 500, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
  });

  it('passes Sentinel options through to ioredis', () => {
    const redis = createRedis({ sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'mymaster', lazyConnect: true });
    expect(redis).toBeInstanceOf(Redis);
    expect((redis as Redis).options).toMatchObject({
      name: 'mymaster',
      sentinels: [{ host: '127.0.0.1', port: 26379 }],
      commandTimeout: 250,
    });
    redis.disconnect();
  });

  it('makes a Cluster client with the defaults on every node connection', () => {
    const cluster = createRedis({
      cluster: [{ host: '127.0.0.1', port: 7000 }],
      options: { lazyConnect: true, scaleReads: 'slave' },
    });
    expect(cluster).toBeInstanceOf(Cluster);
    expect((cluster as Cluster).options).toMatchObject({
      scaleReads: 'slave',
      enableOfflineQueue: false,
      redisOptions: { commandTimeout: REQUEST_PATH_DEFAULTS.commandTimeout, maxRetriesPerRequest: 1 },
    });
    cluster.disconnect();
  });

  it('hands back a client it is given, untouched', () => {
    const own = new Redis({ lazyConnect: true });
    expect(createRedis(own)).toBe(own);
    own.disconnect();
  });

  it('listens for errors (no crash on an unreachable server) and logs the outage once', async () => {
    const logger = recordingLogger();
    const redis = createRedis('redis://127.0.0.1:1', logger);
    expect(await whenReady(redis, 500)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    redis.disconnect();
    expect(logger.lines.filter((line) => line.message.startsWith('Redis is not reachable'))).toHaveLength(1);
    expect(logger.lines).toHaveLength(1);
  });

  it('closing its own connection is not logged as an outage', async () => {
    const logger = recordingLogger();
    const cache = new Cache({ redis: TEST_REDIS, env: {}, logger });
    expect(await cache.ready()).toBe(true);
    await cache.close();
    expect(cache.redis?.status).toBe('end');
    expect(logger.lines.map((line) => line.message)).toEqual([]);
  });

  it('refuses what is not a Redis URL, saying what to write', () => {
    expect(() => createRedis('localhost:6379')).toThrow(/redis:\/\/127\.0\.0\.1:6379/);
  });
});
