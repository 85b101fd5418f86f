import { cache } from '@framework/cache';
import { createApp, isFrameworkError } from '@framework/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { queue } from '../src/index.ts';
import { REDIS_URL } from './helpers.ts';

describe('the queue gets Redis through a declared dependency', () => {
  it("uses @framework/cache's connection when cache is registered first", async () => {
    const app = createApp({ logger: false })
      .use(cache({ redis: REDIS_URL, env: {} }))
      .use(queue({ mail: {} }, { closeTimeout: '2s' }));
    expectTypeOf(app.redis).not.toBeAny();
    await app.ready();
    expect(app.queues.mail.store).toBe('redis');
    await app.stop();
  });

  it('refuses, at registration, an app.redis that is not a Redis client, naming what provides it', () => {
    const app = createApp({ logger: false }).decorate('redis', { url: REDIS_URL });
    let error: unknown;
    try {
      app.use(queue({ mail: {} }, { closeTimeout: '2s' }));
    } catch (caught) {
      error = caught;
    }
    expect(isFrameworkError(error) && error.code).toBe('FW_ERR_PLUGIN_DEPENDENCY');
    expect(error instanceof Error && error.message).toContain('needs app.redis to be what @framework/cache');
  });

  it('runs without it on the inline driver when no Redis is configured', async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      const app = createApp({ logger: false }).use(queue({ mail: {} }, { closeTimeout: '2s' }));
      await app.ready();
      expect(app.queues.mail.store).toBe('inline');
      await app.stop();
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });

  it('is an error to register the plugin twice with different queues, instead of dropping the second', async () => {
    const app = createApp({ logger: false }).use(queue({ mail: { store: 'inline' } }, { closeTimeout: '2s' }));
    let error: unknown;
    try {
      app.use(queue({ sms: { store: 'inline' } }, { closeTimeout: '2s' }));
    } catch (caught) {
      error = caught;
    }
    expect(isFrameworkError(error) && error.code).toBe('FW_ERR_PLUGIN_DUPLICATE');
    expect(Object.keys(app.queues)).toEqual(['mail']);
    await app.stop();
  });
});
