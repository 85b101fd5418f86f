// Issue 12: with a queue registered, app.stop() never resolved once Redis had gone away (killed,
// frozen, or killed and back by the time stop() ran). It must return within closeTimeout.

import { createApp } from '@framework/core';
import { startServices } from '@framework/test-services';
import { describe, expect, it } from 'vitest';
import { queue } from '../src/index.ts';
import { appLogger, eventually, sleep, timed } from './helpers.ts';

const CLOSE_TIMEOUT = 3_000;

describe('app.stop() with a queue, whatever Redis does', () => {
  for (const outage of ['killed', 'frozen', 'restarted'] as const) {
    it(`returns within closeTimeout when Redis was ${outage}`, { timeout: 60_000 }, async () => {
      const services = await startServices({ redis: true, env: {}, log: () => {} });
      const pid = services.services.redis!.pid;
      let frozen = false;
      try {
        const logger = appLogger();
        const app = createApp({ logger }).use(
          queue({ emails: { redis: services.env.REDIS_URL!, env: {} } }, { closeTimeout: CLOSE_TIMEOUT }),
        );
        const done: number[] = [];
        app.queues.emails.process('send', async (job) => {
          done.push(job.attempt);
        });
        app.queues.emails.on('completed', () => {});
        await app.ready();
        await app.queues.emails.add('send', {});
        await eventually(() => expect(done).toHaveLength(1));

        if (outage === 'frozen') {
          process.kill(pid, 'SIGSTOP');
          frozen = true;
        } else {
          await services.halt('redis', { signal: 'SIGKILL' });
        }
        await sleep(2_000);
        // Back, but stop() runs before the connections noticed (they back off up to 2 s).
        if (outage === 'restarted') await services.resume('redis');

        const { ms } = await timed(() => app.stop());
        expect(ms).toBeLessThan(CLOSE_TIMEOUT + 1_500);
        // Nothing was running: no "jobs still running" warning.
        expect(logger.lines.filter((line) => /still running/.test(line.message))).toEqual([]);
      } finally {
        if (frozen) process.kill(pid, 'SIGCONT');
        await services.stop();
      }
    });
  }

  it('with a job running and Redis frozen: waits for it up to closeTimeout, then closes anyway', {
    timeout: 60_000,
  }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const pid = services.services.redis!.pid;
    let frozen = false;
    try {
      const logger = appLogger();
      const app = createApp({ logger }).use(
        queue({ emails: { redis: services.env.REDIS_URL!, env: {} } }, { closeTimeout: CLOSE_TIMEOUT }),
      );
      let started = false;
      app.queues.emails.process('slow', async () => {
        started = true;
        await sleep(60_000);
      });
      await app.ready();
      await app.queues.emails.add('slow', {});
      await eventually(() => expect(started).toBe(true));
      process.kill(pid, 'SIGSTOP');
      frozen = true;
      const { ms } = await timed(() => app.stop());
      expect(ms).toBeGreaterThanOrEqual(CLOSE_TIMEOUT - 100);
      expect(ms).toBeLessThan(CLOSE_TIMEOUT + 1_500);
      expect(logger.lines.filter((line) => /still running after 3000 ms/.test(line.message))).toHaveLength(1);
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
      await services.stop();
    }
  });
});
