// Issue 12: with Redis unreachable at boot, queue.add() hung forever (a request still waited after
// 10 minutes). It must answer 503 with Retry-After at once, whether Redis was never reachable or
// went away later.
import { createApp } from '@framework/core';
import { closedPort } from '@framework/test-helpers';
import { startServices } from '@framework/test-services';
import { describe, expect, it } from 'vitest';
import { queue } from '../src/index.ts';
import { appLogger, eventually, sleep, timed } from './helpers.ts';

function enqueueApp(redis: string) {
  const logger = appLogger();
  const app = createApp({ logger }).use(queue({ emails: { redis, env: {} } }, { closeTimeout: 2_000 }));
  app.post('/signup', async (ctx) => ({ job: await ctx.queues.emails.add('welcome', { userId: 1 }) }));
  return { app, logger };
}

const post = { method: 'POST', headers: { origin: 'http://localhost' } };

describe('enqueue while Redis is unreachable', () => {
  it('never reachable since boot: 503 with Retry-After, answered at once, every time', {
    timeout: 30_000,
  }, async () => {
    const { app } = enqueueApp(`redis://127.0.0.1:${await closedPort()}`);
    await app.ready();
    try {
      for (let i = 0; i < 3; i++) {
        const { ms, value: response } = await timed(() => app.request('/signup', post));
        expect(response.status).toBe(503);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(await response.json()).toMatchObject({ code: 'FW_QUEUE_UNAVAILABLE' });
        expect(ms).toBeLessThan(2_000);
        await sleep(300);
      }
      // The health check answers too (it used to wait for the connection forever).
      const { ms, value: health } = await timed(() => app.health());
      expect(ms).toBeLessThan(2_000);
      expect(health.checks.queues?.status).toBe('down');
    } finally {
      const { ms } = await timed(() => app.stop());
      expect(ms).toBeLessThan(3_500);
    }
  });

  it('went away later (SIGKILL): 503 with Retry-After at once; back to 200 once Redis returns', {
    timeout: 60_000,
  }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const { app } = enqueueApp(services.env.REDIS_URL!);
    try {
      await app.ready();
      expect((await app.request('/signup', post)).status).toBe(200);
      await services.halt('redis', { signal: 'SIGKILL' });
      await sleep(200);
      for (let i = 0; i < 3; i++) {
        const { ms, value: response } = await timed(() => app.request('/signup', post));
        expect(response.status).toBe(503);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(ms).toBeLessThan(2_000);
      }
      await services.resume('redis');
      await eventually(async () => expect((await app.request('/signup', post)).status).toBe(200), 10_000);
    } finally {
      await app.stop();
      await services.stop();
    }
  });

  it('a Redis that starts with the app: calls made before the first connection wait for it', {
    timeout: 30_000,
  }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const { app } = enqueueApp(services.env.REDIS_URL!);
    try {
      // No ready(), no wait: the first request races the first connection.
      expect((await app.request('/signup', post)).status).toBe(200);
    } finally {
      await app.stop();
      await services.stop();
    }
  });
});
