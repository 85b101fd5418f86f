import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createQueue } from '../src/create-queue.ts';
import { QueueError, QueueValidationError } from '../src/errors.ts';
import { UnrecoverableError } from '../src/index.ts';
import type { QueueEvent } from '../src/types.ts';
import { closeAfter, eventually, makeQueue, REDIS_URL, recordingLogger, STORES, sleep } from './helpers.ts';

describe.each(STORES)('a queue on the %s driver (spec §5.1)', (store) => {
  it('runs a job with its handler and keeps what the handler returned', async () => {
    const emails = closeAfter(
      createQueue(`q-${randomUUID()}`, {
        store,
        redis: REDIS_URL,
        env: {},
        jobs: { sendWelcome: z.object({ userId: z.number() }) },
      }),
    );
    expect(emails.store).toBe(store);
    emails.process('sendWelcome', async (job) => ({ sent: true, userId: job.data.userId, attempt: job.attempt }));
    const id = await emails.add('sendWelcome', { userId: 123 });
    await eventually(async () => expect((await emails.getJob(id))?.state).toBe('completed'));
    const job = await emails.getJob(id);
    expect(job).toMatchObject({
      id,
      name: 'sendWelcome',
      data: { userId: 123 },
      result: { sent: true, userId: 123, attempt: 1 },
    });
    expect(await emails.stats()).toMatchObject({ completed: 1, waiting: 0, active: 0, failed: 0 });
  });

  it('hands the handler the output of a transforming schema', async () => {
    const reports = closeAfter(
      createQueue(`q-${randomUUID()}`, {
        store,
        redis: REDIS_URL,
        env: {},
        jobs: { digest: z.object({ day: z.string().transform((day) => new Date(`${day}T00:00:00Z`)) }) },
      }),
    );
    const seen: Date[] = [];
    reports.process('digest', async (job) => {
      seen.push(job.data.day);
    });
    await reports.add('digest', { day: '2026-11-26' });
    await eventually(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toEqual(new Date('2026-11-26T00:00:00Z'));
  });

  it('refuses data that does not match the job schema before queueing it (400)', async () => {
    const emails = closeAfter(
      createQueue(`q-${randomUUID()}`, {
        store,
        redis: REDIS_URL,
        env: {},
        jobs: { sendWelcome: z.object({ userId: z.number() }) },
      }),
    );
    // @ts-expect-error: userId is a number
    const bad = emails.add('sendWelcome', { userId: 'abc' });
    await expect(bad).rejects.toBeInstanceOf(QueueValidationError);
    await expect(bad).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/userId/) });
    // @ts-expect-error: no such job
    await expect(emails.add('sendGoodbye', {})).rejects.toThrow(/has no job named "sendGoodbye"/);
    expect((await emails.stats()).waiting).toBe(0);
  });

  it('runs at most `concurrency` jobs at once', async () => {
    const q = makeQueue(store, { concurrency: 3 });
    let running = 0;
    let most = 0;
    let done = 0;
    q.process('work', async () => {
      running++;
      most = Math.max(most, running);
      await sleep(80);
      running--;
      done++;
    });
    await q.addBulk(Array.from({ length: 9 }, (_, i) => ({ name: 'work', data: { i } })));
    await eventually(() => expect(done).toBe(9));
    expect(most).toBe(3);
  });

  it('runs high before normal before low priority', async () => {
    const q = makeQueue(store, { work: false });
    const order: string[] = [];
    q.process('job', async (job) => {
      order.push(String((job.data as { label: string }).label));
    });
    await q.add('job', { label: 'low' }, { priority: 'low' });
    await q.add('job', { label: 'normal' }, { priority: 'normal' });
    await q.add('job', { label: 'high' }, { priority: 'high' });
    await q.add('job', { label: 'seven' }, { priority: 7 });
    q.work();
    await eventually(() => expect(order).toHaveLength(4));
    expect(order).toEqual(['high', 'seven', 'normal', 'low']);
  });

  it('does not run a delayed job early', async () => {
    const q = makeQueue(store);
    let ranAt = 0;
    q.process('later', async () => {
      ranAt = Date.now();
    });
    const addedAt = Date.now();
    await q.add('later', {}, { delay: 600 });
    expect((await q.stats()).delayed).toBe(1);
    await eventually(() => expect(ranAt).toBeGreaterThan(0));
    expect(ranAt - addedAt).toBeGreaterThanOrEqual(590);
  });

  it('retries a throwing handler with the backoff, then keeps it failed with its error', async () => {
    const failures: { willRetry: boolean; message: string; attempt: number }[] = [];
    const q = makeQueue(store, {
      retry: { attempts: 3, backoff: 'fixed', delay: 250 },
      hooks: {
        onFailed: (job, error, willRetry) => failures.push({ willRetry, message: error.message, attempt: job.attempt }),
      },
    });
    const runs: number[] = [];
    q.process('flaky', async () => {
      runs.push(Date.now());
      throw new Error(`SMTP refused (run ${runs.length})`);
    });
    const id = await q.add('flaky', { to: 'ada@example.com' });
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('failed'));
    expect(runs).toHaveLength(3);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(240);
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(240);
    expect(await q.getJob(id)).toMatchObject({ attemptsMade: 3, error: 'SMTP refused (run 3)' });
    const failed = await q.failed();
    expect(failed.map((job) => job.id)).toEqual([id]);
    expect((await q.stats()).failed).toBe(1);
    await eventually(() => expect(failures.map((f) => f.willRetry)).toEqual([true, true, false]));
    expect(failures.map((f) => f.attempt)).toEqual([1, 2, 3]);
  });

  it('a handler that throws UnrecoverableError fails at once, without retries (QU-03)', async () => {
    const q = makeQueue(store, { retry: { attempts: 5, delay: 50 } });
    let runs = 0;
    q.process('charge', async () => {
      runs++;
      throw new UnrecoverableError('card declined for good');
    });
    const id = await q.add('charge', {});
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('failed'));
    await sleep(200);
    expect(runs).toBe(1);
    expect(await q.getJob(id)).toMatchObject({ attemptsMade: 1, error: 'card declined for good' });
  });

  it('exponential backoff doubles the wait and stops at maxDelay', async () => {
    const q = makeQueue(store, { retry: { attempts: 4, backoff: 'exponential', delay: 200, maxDelay: 300 } });
    const runs: number[] = [];
    q.process('flaky', async () => {
      runs.push(Date.now());
      throw new Error('still down');
    });
    await q.add('flaky', {});
    await eventually(() => expect(runs).toHaveLength(4));
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(290);
    expect(gaps[2]).toBeGreaterThanOrEqual(290);
    // Uncapped, the third wait would be 800 ms.
    expect(gaps[2]).toBeLessThan(700);
  });

  it('adding twice with one jobId queues one job (idempotent enqueue, QU-02)', async () => {
    const q = makeQueue(store, { work: false });
    let runs = 0;
    q.process('charge', async () => {
      runs++;
    });
    const first = await q.add('charge', { orderId: 7 }, { jobId: 'order-7' });
    const second = await q.add('charge', { orderId: 7 }, { jobId: 'order-7' });
    expect(second).toBe(first);
    q.work();
    await eventually(async () => expect((await q.stats()).completed).toBe(1));
    expect(await q.add('charge', { orderId: 7 }, { jobId: 'order-7' })).toBe(first);
    await sleep(100);
    expect(runs).toBe(1);
    await expect(q.add('charge', {}, { jobId: '12' })).rejects.toBeInstanceOf(QueueError);
    await expect(q.add('charge', {}, { jobId: 'order:7' })).rejects.toThrow(/without ':'/);
  });

  it('repeats every N ms up to its limit', async () => {
    const q = makeQueue(store);
    const runs: number[] = [];
    q.process('tick', async () => {
      runs.push(Date.now());
    });
    await q.add('tick', {}, { repeat: { every: 250, limit: 3 } });
    await eventually(() => expect(runs).toHaveLength(3));
    await sleep(600);
    expect(runs).toHaveLength(3);
  });

  it('follows a cron expression (with seconds)', async () => {
    const q = makeQueue(store);
    const runs: number[] = [];
    q.process('cron', async () => {
      runs.push(Date.now());
    });
    await q.add('cron', {}, { repeat: { cron: '* * * * * *', limit: 2 } });
    await eventually(() => expect(runs).toHaveLength(2));
    // On the second: each run is at (or just after) a whole second, one second apart.
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(900);
  });

  it('pause holds jobs back, resume runs them', async () => {
    const q = makeQueue(store);
    let runs = 0;
    q.process('job', async () => {
      runs++;
    });
    await q.pause();
    await q.addBulk([1, 2, 3].map((i) => ({ name: 'job', data: { i } })));
    await sleep(300);
    expect(runs).toBe(0);
    expect(await q.stats()).toMatchObject({ paused: 3, waiting: 0 });
    await q.resume();
    await eventually(() => expect(runs).toBe(3));
  });

  it('retry() runs a failed job again; remove() and clean() delete jobs', async () => {
    const q = makeQueue(store, { retry: { attempts: 1 } });
    let healthy = false;
    q.process('job', async () => {
      if (!healthy) throw new Error('dependency down');
      return 'ok';
    });
    const id = await q.add('job', {});
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('failed'));
    healthy = true;
    await q.retry(id);
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('completed'));
    expect((await q.getJob(id))?.result).toBe('ok');
    await expect(q.retry('does-not-exist')).rejects.toMatchObject({ code: 'FW_QUEUE_NOT_FOUND' });

    await q.remove(id);
    expect(await q.getJob(id)).toBeUndefined();
    await q.add('job', {});
    await q.add('job', {});
    await eventually(async () => expect((await q.stats()).completed).toBe(2));
    await sleep(20);
    expect(await q.clean(0, 'completed')).toBe(2);
    expect((await q.stats()).completed).toBe(0);
  });

  it('fails a job with no handler for its name at once, saying what to register', async () => {
    const q = makeQueue(store, { retry: { attempts: 5 } });
    q.process('known', async () => 'ok');
    const id = await q.add('unknown', {});
    await eventually(async () => expect((await q.getJob(id))?.state).toBe('failed'));
    expect(await q.getJob(id)).toMatchObject({
      attemptsMade: 1,
      error: expect.stringMatching(/queue\.process\("unknown"/),
    });
  });

  it('streams lifecycle events: added, active, progress, completed, failed', async () => {
    const q = makeQueue(store, { retry: { attempts: 1 } });
    const events: QueueEvent[] = [];
    for (const type of ['added', 'active', 'progress', 'completed', 'failed'] as const)
      q.on(type, (event) => events.push(event));
    if ('eventsReady' in q && typeof q.eventsReady === 'function') await q.eventsReady();
    q.process('job', async (job) => {
      await job.progress(50);
      if ((job.data as { fail?: boolean }).fail) throw new Error('boom');
      return { ok: true };
    });
    const good = await q.add('job', {});
    const bad = await q.add('job', { fail: true });
    await eventually(() => {
      expect(events).toContainEqual({ type: 'completed', jobId: good, result: { ok: true } });
      expect(events).toContainEqual({ type: 'failed', jobId: bad, error: 'boom' });
    });
    expect(events).toContainEqual({ type: 'added', jobId: good, name: 'job' });
    expect(events).toContainEqual({ type: 'active', jobId: good });
    expect(events).toContainEqual({ type: 'progress', jobId: good, progress: 50 });
  });

  it('runs hooks; a throwing hook is logged and changes nothing', async () => {
    const logger = recordingLogger();
    const completed: unknown[] = [];
    const q = makeQueue(store, {
      logger,
      hooks: {
        onComplete: (job, result) => {
          completed.push({ id: job.id, result });
          throw new Error('hook bug');
        },
      },
    });
    q.process('job', async () => 42);
    const id = await q.add('job', {});
    await eventually(() => expect(completed).toEqual([{ id, result: 42 }]));
    await eventually(() =>
      expect(logger.lines.some((line) => line.level === 'error' && /onComplete/.test(line.message))).toBe(true),
    );
    expect((await q.getJob(id))?.state).toBe('completed');
  });

  it('close() lets active jobs finish and starts no new ones', async () => {
    const q = createQueue(`q-${randomUUID()}`, { store, redis: REDIS_URL, env: {}, logger: recordingLogger() });
    const finished: number[] = [];
    let started = 0;
    q.process('slow', async (job) => {
      started++;
      await sleep(400);
      finished.push(Number((job.data as { i: number }).i));
    });
    await q.add('slow', { i: 1 });
    await q.add('slow', { i: 2 });
    await eventually(() => expect(started).toBe(1));
    await q.close(5_000);
    expect(finished).toEqual([1]);
    expect(started).toBe(1);
  });

  it('refuses bad options with what to write', async () => {
    const q = makeQueue(store);
    await expect(q.add('x', {}, { priority: 0 })).rejects.toThrow(/from 1/);
    await expect(q.add('x', {}, { delay: -1 })).rejects.toThrow(/milliseconds >= 0/);
    await expect(q.add('x', {}, { repeat: { every: 0 } })).rejects.toThrow(/repeat\.every/);
    await expect(q.add('x', {}, { repeat: { cron: 'every tuesday' } })).rejects.toThrow(/not a valid cron expression/);
    await expect(q.add('x', {}, { repeat: { cron: '0 9 * * *', tz: 'Mars/Olympus' } })).rejects.toMatchObject({
      code: 'FW_QUEUE_INVALID_OPTION',
    });
    expect(() => makeQueue(store, { retry: { attempts: 0 } })).toThrow(/retry\.attempts/);
  });
});
