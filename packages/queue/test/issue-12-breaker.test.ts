// Issue 12: a Redis that hangs instead of dying (SIGSTOP: connections stay open, nothing answers)
// made every enqueue wait for the command timeout (503 after ~2.25 s) and logged 1 250 lines in a
// 6 s outage. After a few timeouts the queue's breaker opens: enqueues answer 503 at once while a
// background PING checks for the server's return; one line when it opens, one when it is back.

import { createApp } from '@framework/core';
import { startServices } from '@framework/test-services';
import { describe, expect, it } from 'vitest';
import { queue } from '../src/index.ts';
import { appLogger, eventually, timed } from './helpers.ts';

describe('enqueue with Redis frozen (SIGSTOP)', () => {
  it('most of 50 enqueues answer 503 at once, one warning; after SIGCONT enqueue works again, one recovery line', {
    timeout: 60_000,
  }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const pid = services.services.redis!.pid;
    let frozen = false;
    const logger = appLogger();
    const app = createApp({ logger }).use(
      queue({ emails: { redis: services.env.REDIS_URL!, env: {} } }, { closeTimeout: 2_000 }),
    );
    app.post('/signup', async (ctx) => ({ job: await ctx.queues.emails.add('welcome', { userId: 1 }) }));
    const post = () => app.request('/signup', { method: 'POST', headers: { origin: 'http://localhost' } });
    /** Everything the app logged: the queue's lines, and any line the app wrote per 503 answer. */
    const queueLines = () => logger.lines;
    try {
      await app.ready();
      expect((await post()).status).toBe(200);

      process.kill(pid, 'SIGSTOP');
      frozen = true;
      const answers: { ms: number; status: number; retryAfter: string | null }[] = [];
      // 50 requests, 5 at a time: the first wave waits for the command timeout and opens the breaker.
      for (let wave = 0; wave < 10; wave++) {
        const results = await Promise.all(Array.from({ length: 5 }, () => timed(post)));
        for (const { ms, value } of results) {
          answers.push({ ms, status: value.status, retryAfter: value.headers.get('retry-after') });
        }
      }
      expect(answers.every((answer) => answer.status === 503)).toBe(true);
      expect(answers.every((answer) => Number(answer.retryAfter) >= 1)).toBe(true);
      const fast = answers.filter((answer) => answer.ms < 200);
      expect(fast.length).toBeGreaterThanOrEqual(40);
      const warnings = queueLines().filter((line) => line.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/Redis \(queue "emails"\) is not answering/);
      expect(queueLines().filter((line) => line.level === 'error')).toEqual([]);

      process.kill(pid, 'SIGCONT');
      frozen = false;
      const { ms } = await timed(() => eventually(async () => expect((await post()).status).toBe(200), 10_000));
      expect(ms).toBeLessThan(6_000);
      const recovered = queueLines().filter((line) => line.level === 'info');
      expect(recovered).toHaveLength(1);
      expect(recovered[0]?.message).toMatch(/is answering again/);
      expect(queueLines().filter((line) => line.level === 'warn')).toHaveLength(1);
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
      await app.stop();
      await services.stop();
    }
  });

  it('frozen from boot: enqueue answers 503 (never hangs), and works once Redis answers again', {
    timeout: 60_000,
  }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const pid = services.services.redis!.pid;
    process.kill(pid, 'SIGSTOP');
    let frozen = true;
    const app = createApp({ logger: appLogger() }).use(
      queue({ emails: { redis: services.env.REDIS_URL!, env: {} } }, { closeTimeout: 2_000 }),
    );
    app.post('/signup', async (ctx) => ({ job: await ctx.queues.emails.add('welcome', { userId: 1 }) }));
    const post = () => app.request('/signup', { method: 'POST', headers: { origin: 'http://localhost' } });
    try {
      await app.ready();
      for (let i = 0; i < 5; i++) {
        const { ms, value } = await timed(post);
        expect(value.status).toBe(503);
        expect(Number(value.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(ms).toBeLessThan(3_000);
      }
      process.kill(pid, 'SIGCONT');
      frozen = false;
      // The first connection completes once Redis answers; nothing was left waiting on it.
      await eventually(async () => expect((await post()).status).toBe(200), 10_000);
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
      await app.stop();
      await services.stop();
    }
  });
});
