// Issue 12: while Redis was down the queue logged ~90 lines a minute (every reconnection attempt's
// error, relayed by BullMQ for the producer, the workers and the event stream). One line at loss,
// one at recovery per outage; failed jobs (after their last attempt) are logged, one line each.
import { randomUUID } from 'node:crypto';
import { startServices } from '@framework/test-services';
import { describe, expect, it } from 'vitest';
import { createQueue } from '../src/index.ts';
import { closeAfter, eventually, REDIS_URL, recordingLogger, sleep } from './helpers.ts';

describe('outage logging', () => {
  it('a 6 s outage (Redis SIGKILLed, then back) logs one line at loss and one at recovery, and spins no loop', {
    timeout: 60_000,
  }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const logger = recordingLogger();
    const q = createQueue(`q-${randomUUID()}`, { redis: services.env.REDIS_URL!, env: {}, logger });
    try {
      const done: number[] = [];
      q.process('job', async (job) => {
        done.push(job.attempt);
      });
      q.on('completed', () => {});
      await q.add('job', {});
      await eventually(() => expect(done).toHaveLength(1));
      expect(logger.lines).toEqual([]);

      await services.halt('redis', { signal: 'SIGKILL' });
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage().heapUsed;
      await sleep(6_000);
      const used = process.cpuUsage(cpu);
      // Producer, worker and event stream all reconnect with a back-off: no hot loop, no growth.
      expect((used.user + used.system) / 1_000).toBeLessThan(1_500);
      expect(process.memoryUsage().heapUsed - memory).toBeLessThan(50 * 1024 * 1024);
      expect(logger.lines.map((line) => `${line.level} ${line.message}`)).toEqual([
        expect.stringMatching(/^warn queue "q-[\w-]+": Redis connection lost; add\(\) answers 503/),
      ]);
      expect(logger.lines[0]?.fields).toMatchObject({ queue: q.name, err: expect.any(Error) });

      await services.resume('redis');
      await eventually(() => expect(logger.lines).toHaveLength(2), 15_000);
      expect(logger.lines[1]).toMatchObject({ level: 'info', message: `queue "${q.name}": Redis connection is back` });
      // The workers picked up again.
      await eventually(async () => {
        await q.add('job', {});
        expect(done.length).toBeGreaterThan(1);
      }, 15_000);
      await sleep(500);
      expect(logger.lines).toHaveLength(2);
    } finally {
      await q.close(2_000);
      await services.stop();
    }
  });

  it('a job that fails for good is logged once, with queue, id, name, attempts and the error; retries are not', {
    timeout: 30_000,
  }, async () => {
    const logger = recordingLogger();
    const q = closeAfter(
      createQueue(`q-${randomUUID()}`, {
        redis: REDIS_URL,
        env: {},
        logger,
        retry: { attempts: 3, backoff: 'fixed', delay: 50 },
      }),
    );
    q.process('charge', async () => {
      throw new Error('card declined');
    });
    const id = await q.add('charge', { amount: 5 });
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('failed'));
    await sleep(300);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        message: `queue "${q.name}": job ${id} (charge) failed after 3 attempts: card declined; it is kept in queue.failed(): fix the cause, then queue.retry("${id}")`,
        fields: {
          queue: q.name,
          jobId: id,
          job: 'charge',
          attempts: 3,
          err: expect.objectContaining({ message: 'card declined' }),
        },
      },
    ]);
  });
});
