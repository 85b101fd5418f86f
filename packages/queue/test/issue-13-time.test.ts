import { randomUUID } from 'node:crypto';
import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { createQueue } from '../src/create-queue.ts';
import { queue } from '../src/index.ts';
import { closeAfter, eventually, REDIS_URL, recordingLogger, STORES, sleep } from './helpers.ts';

// One way to say time: every time option of the queue takes core's Duration; a bare number stays
// milliseconds, a string says its unit.
describe.each(STORES)('time options on the %s driver', (store) => {
  const make = (options: Parameters<typeof createQueue>[1] = {}) =>
    closeAfter(
      createQueue(`q-${randomUUID()}`, { store, redis: REDIS_URL, env: {}, logger: recordingLogger(), ...options }),
    );

  it("add(..., { delay: '400ms' }) holds the job for 400 ms, like delay: 400", async () => {
    const q = make();
    const ran = new Map<string, number>();
    q.process('tick', async (job) => {
      ran.set(job.id, Date.now());
    });
    const added = Date.now();
    const byString = await q.add('tick', {}, { delay: '400ms' });
    const byNumber = await q.add('tick', {}, { delay: 400 });
    await sleep(150);
    expect(ran.size).toBe(0);
    await eventually(() => expect(ran.size).toBe(2));
    expect((ran.get(byString) ?? 0) - added).toBeGreaterThanOrEqual(350);
    expect((ran.get(byNumber) ?? 0) - added).toBeGreaterThanOrEqual(350);
  });

  it("retry: { delay: '50ms', backoff: 'fixed' } retries after 50 ms, and repeat every '200ms' repeats", async () => {
    const q = make({
      retry: { attempts: 3, backoff: 'fixed', delay: '50ms', maxDelay: '1s' },
      limiter: { max: 100, duration: '1s' },
    });
    let attempts = 0;
    let ticks = 0;
    q.process('flaky', async () => {
      attempts++;
      if (attempts < 3) throw new Error('not yet');
    });
    q.process('tick', async () => {
      ticks++;
    });
    const id = await q.add('flaky', {});
    await q.add('tick', {}, { repeat: { every: '200ms', limit: 3 } });
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('completed'), 5_000);
    expect(attempts).toBe(3);
    await eventually(() => expect(ticks).toBeGreaterThanOrEqual(2), 5_000);
  });

  it('refuses a time it cannot read with FW_QUEUE_INVALID_OPTION naming the option and the forms', async () => {
    const q = make();
    // @ts-expect-error: not a Duration
    await expect(q.add('x', {}, { delay: '5 minutes' })).rejects.toMatchObject({
      code: 'FW_QUEUE_INVALID_OPTION',
      message: expect.stringMatching(/delay is a number of milliseconds >= 0 or a string with a unit \('500ms', '30s'/),
    });
    // @ts-expect-error: not a Duration
    expect(() => make({ retry: { delay: 'soon' } })).toThrow(
      /retry\.delay is a number of milliseconds >= 0 or a string with a unit/,
    );
  });
});

describe("queue({ ... }, { closeTimeout: '2s' })", () => {
  it('accepts a string, and refuses one it cannot read at registration', async () => {
    const app = createApp({ logger: false }).use(
      queue({ emails: { store: 'inline', env: {} } }, { closeTimeout: '2s' }),
    );
    await app.ready();
    const started = Date.now();
    await app.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    // @ts-expect-error: not a Duration
    expect(() => queue({ emails: { store: 'inline', env: {} } }, { closeTimeout: 'two seconds' })).toThrow(
      /closeTimeout is a number of milliseconds >= 0 or a string with a unit/,
    );
  });
});
