import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { QueueError, QueueUnavailableError, QueueValidationError } from '../src/errors.ts';
import { InlineQueue } from '../src/inline-queue.ts';
import type { Job, JobMap, JobSchemas, QueueEvent, QueueOptions } from '../src/types.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Generous: the CI machine is slow and loaded; a passing condition returns at once. */
const eventually = (assertion: () => unknown) => vi.waitFor(assertion, { timeout: 10_000, interval: 10 });

const opened: InlineQueue<never>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close(1_000)));
});

function open<Out extends JobMap = JobMap, In extends JobMap = Out>(options: QueueOptions<JobSchemas> = {}) {
  const logger = { warn: vi.fn(), error: vi.fn() };
  const queue = new InlineQueue<Out, In>('test', options, logger);
  opened.push(queue as unknown as InlineQueue<never>);
  return { queue, logger };
}

/** A promise the test settles: a handler that runs until released. */
function gate() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

async function state(queue: Pick<InlineQueue, 'getJob'>, id: string) {
  return (await queue.getJob(id))?.state;
}

function codeOf(error: unknown) {
  return error instanceof QueueError ? error.code : error;
}

describe('InlineQueue: running jobs', () => {
  it('runs a job with its handler, after add returned, and keeps its result', async () => {
    const { queue } = open<{ double: { n: number } }>();
    const seen: { attempt: number; data: unknown }[] = [];
    queue.process('double', (job) => {
      seen.push({ attempt: job.attempt, data: job.data });
      return { doubled: job.data.n * 2 };
    });
    const id = await queue.add('double', { n: 21 });
    expect(id).toBe('1');
    expect(seen).toEqual([]);
    await eventually(async () => expect(await state(queue, id)).toBe('completed'));
    const record = await queue.getJob(id);
    expect(record).toMatchObject({
      id: '1',
      name: 'double',
      data: { n: 21 },
      attemptsMade: 1,
      result: { doubled: 42 },
    });
    expect(record?.finishedAt).toBeGreaterThanOrEqual(record?.timestamp ?? Number.POSITIVE_INFINITY);
    expect(seen).toEqual([{ attempt: 1, data: { n: 21 } }]);
    expect(await queue.add('double', { n: 1 })).toBe('2');
  });

  it('stores data and results as JSON, as Redis does: a Date arrives as a string', async () => {
    const { queue } = open();
    let received: unknown;
    queue.process('echo', (job) => {
      received = job.data;
      return { at: new Date(0), nothing: undefined };
    });
    const id = await queue.add('echo', { at: new Date(0) });
    await eventually(async () => expect(await state(queue, id)).toBe('completed'));
    expect(received).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect((await queue.getJob(id))?.result).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    await expect(queue.add('echo', { big: 1n })).rejects.toSatisfy(
      (error) => codeOf(error) === 'FW_QUEUE_INVALID_OPTION',
    );
  });

  it('runs at most `concurrency` handlers at once', async () => {
    const { queue } = open({ concurrency: 3 });
    let running = 0;
    let most = 0;
    queue.process('work', async () => {
      running++;
      most = Math.max(most, running);
      await sleep(20);
      running--;
    });
    const ids = await queue.addBulk(Array.from({ length: 10 }, () => ({ name: 'work', data: {} })));
    expect(ids).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    await eventually(async () => expect((await queue.stats()).completed).toBe(10));
    expect(most).toBe(3);
  });

  it('runs one at a time by default, unprioritized jobs first, then by priority, in order added within each', async () => {
    const { queue } = open();
    for (const [label, priority] of [
      ['low', 'low'],
      ['plain-1', undefined],
      ['high', 'high'],
      ['five', 5],
      ['normal', 'normal'],
      ['plain-2', undefined],
      ['high-2', 1],
    ] as const) {
      await queue.add('job', { label }, priority === undefined ? {} : { priority });
    }
    expect(await queue.stats()).toMatchObject({ waiting: 7, active: 0 });
    const order: unknown[] = [];
    let running = 0;
    queue.process('job', async (job) => {
      running++;
      expect(running).toBe(1);
      order.push((job.data as { label: string }).label);
      await sleep(1);
      running--;
    });
    await eventually(() => expect(order).toHaveLength(7));
    expect(order).toEqual(['plain-1', 'plain-2', 'high', 'high-2', 'five', 'normal', 'low']);
  });

  it('does not run a delayed job before its delay', async () => {
    const { queue } = open();
    let startedAt = 0;
    queue.process('later', () => {
      startedAt = Date.now();
    });
    const far = await queue.add('later', {}, { delay: 60_000 });
    expect(await state(queue, far)).toBe('delayed');
    expect(await queue.stats()).toMatchObject({ delayed: 1, waiting: 0 });
    const addedAt = Date.now();
    const id = await queue.add('later', {}, { delay: 150 });
    await eventually(async () => expect(await state(queue, id)).toBe('completed'));
    expect(startedAt - addedAt).toBeGreaterThanOrEqual(150);
  });

  it('keeps jobs waiting until a worker runs: with work: false, only work() starts them', async () => {
    const { queue } = open({ work: false });
    const ran: string[] = [];
    const early = await queue.add('job', {});
    queue.process('job', (job) => {
      ran.push(job.id);
    });
    const late = await queue.add('job', {});
    await sleep(50);
    expect(ran).toEqual([]);
    expect(await queue.stats()).toMatchObject({ waiting: 2, active: 0 });
    queue.work();
    await eventually(() => expect(ran).toEqual([early, late]));
  });

  it('caps starts per window with the limiter', async () => {
    const { queue } = open({ concurrency: 5, limiter: { max: 2, duration: 300 } });
    const starts: number[] = [];
    queue.process('job', () => {
      starts.push(Date.now());
    });
    const addedAt = Date.now();
    await queue.addBulk(Array.from({ length: 4 }, () => ({ name: 'job', data: {} })));
    await eventually(() => expect(starts).toHaveLength(4));
    // The window opens with the first start: the third waits for the next one.
    expect((starts[2] ?? 0) - addedAt).toBeGreaterThanOrEqual(300);
  });
});

describe('InlineQueue: failures', () => {
  it('retries a throwing handler with backoff, then fails it for good with its error', async () => {
    const whileWaiting: unknown[] = [];
    const onFailed = vi.fn(async (job: Job, _error: Error, willRetry: boolean) => {
      // Between two runs (the hook runs once the failure is recorded), the job is delayed and keeps its error.
      if (willRetry) whileWaiting.push({ job: await queue.getJob(job.id), stats: await queue.stats() });
    });
    const { queue } = open({ retry: { attempts: 3, backoff: 'exponential', delay: 60 }, hooks: { onFailed } });
    const failedEvents: QueueEvent[] = [];
    queue.on('failed', (event) => failedEvents.push(event));
    const starts: number[] = [];
    queue.process('flaky', (job) => {
      starts.push(Date.now());
      throw new Error(`boom ${job.attempt}`);
    });
    const id = await queue.add('flaky', { n: 1 });
    await eventually(async () => expect(await state(queue, id)).toBe('failed'));
    expect(whileWaiting).toEqual([
      {
        job: expect.objectContaining({ state: 'delayed', attemptsMade: 1, error: 'boom 1' }),
        stats: expect.objectContaining({ delayed: 1, failed: 0 }),
      },
      {
        job: expect.objectContaining({ state: 'delayed', attemptsMade: 2, error: 'boom 2' }),
        stats: expect.objectContaining({ delayed: 1, failed: 0 }),
      },
    ]);
    const [first = 0, second = 0, third = 0] = starts;
    expect(starts).toHaveLength(3);
    expect(second - first).toBeGreaterThanOrEqual(60);
    expect(third - second).toBeGreaterThanOrEqual(120);
    expect(await queue.getJob(id)).toMatchObject({ state: 'failed', attemptsMade: 3, error: 'boom 3' });
    expect((await queue.failed()).map((job) => job.id)).toEqual([id]);
    expect(await queue.stats()).toMatchObject({ failed: 1, delayed: 0, waiting: 0, active: 0 });
    expect(onFailed.mock.calls.map(([job, error, willRetry]) => [job.attempt, error.message, willRetry])).toEqual([
      [1, 'boom 1', true],
      [2, 'boom 2', true],
      [3, 'boom 3', false],
    ]);
    // The event stream reports the failure for good once, as BullMQ's does.
    expect(failedEvents).toEqual([{ type: 'failed', jobId: id, error: 'boom 3' }]);
    await sleep(200);
    expect(starts).toHaveLength(3);
  });

  it("uses the job's attempts over the queue's, and fixed backoff", async () => {
    const { queue } = open({ retry: { attempts: 5, backoff: 'fixed', delay: 10 } });
    let runs = 0;
    queue.process('job', () => {
      runs++;
      throw new Error('no');
    });
    const id = await queue.add('job', {}, { attempts: 2 });
    await eventually(async () => expect(await state(queue, id)).toBe('failed'));
    expect(runs).toBe(2);
  });

  it('fails at once, without retries, a job whose data fails its schema when it runs, or that has no handler', async () => {
    let accept = true;
    const schemas = {
      check: z.object({ n: z.number().refine(() => accept, 'no longer accepted') }),
      orphan: z.object({}),
    };
    const { queue } = open<{ check: { n: number }; orphan: Record<string, never> }>({
      jobs: schemas,
      work: false,
      retry: { attempts: 3, delay: 10 },
    });
    await expect(queue.add('check', { n: 'x' as unknown as number })).rejects.toBeInstanceOf(QueueValidationError);
    await expect(queue.add('nope' as 'check', { n: 1 })).rejects.toSatisfy(
      (error) => codeOf(error) === 'FW_QUEUE_UNKNOWN_JOB',
    );
    const handler = vi.fn();
    queue.process('check', handler);
    const checked = await queue.add('check', { n: 1 });
    const orphan = await queue.add('orphan', {});
    accept = false;
    queue.work();
    await eventually(async () => {
      expect(await state(queue, checked)).toBe('failed');
      expect(await state(queue, orphan)).toBe('failed');
    });
    expect(handler).not.toHaveBeenCalled();
    expect(await queue.getJob(checked)).toMatchObject({
      attemptsMade: 1,
      error: expect.stringContaining('no longer accepted'),
    });
    expect(await queue.getJob(orphan)).toMatchObject({
      attemptsMade: 1,
      error: expect.stringContaining('no handler for job "orphan"'),
    });
  });

  it('hands the handler the schema output, and keeps the data as added', async () => {
    const { queue } = open<{ count: number }, { count: string }>({
      jobs: { count: z.string().transform((s) => s.length) },
    });
    let received: unknown;
    queue.process('count', (job) => {
      received = job.data;
      return job.data * 2;
    });
    const id = await queue.add('count', 'abc');
    await eventually(async () => expect(await state(queue, id)).toBe('completed'));
    expect(received).toBe(3);
    expect(await queue.getJob(id)).toMatchObject({ data: 'abc', result: 6 });
  });

  it('lists failed jobs newest first, with inclusive start and end', async () => {
    const { queue } = open({ retry: { attempts: 1 } });
    queue.process('bad', () => {
      throw new Error('bad');
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await queue.add('bad', { i });
      ids.push(id);
      await eventually(async () => expect(await state(queue, id)).toBe('failed'));
    }
    expect((await queue.failed()).map((job) => job.id)).toEqual(['3', '2', '1']);
    expect((await queue.failed(0, 0)).map((job) => job.id)).toEqual(['3']);
    expect((await queue.failed(1, 2)).map((job) => job.id)).toEqual(['2', '1']);
    expect((await queue.failed(0, -1)).map((job) => job.id)).toEqual(['3', '2', '1']);
  });
});

describe('InlineQueue: ids and repeats', () => {
  it('adds a job with a taken jobId only once, whatever its state, until it is removed', async () => {
    const { queue } = open();
    const added: QueueEvent[] = [];
    queue.on('added', (event) => added.push(event));
    const handler = vi.fn();
    queue.process('welcome', handler);
    expect(await queue.add('welcome', { v: 1 }, { jobId: 'welcome-123' })).toBe('welcome-123');
    expect(await queue.add('welcome', { v: 2 }, { jobId: 'welcome-123' })).toBe('welcome-123');
    await eventually(async () => expect(await state(queue, 'welcome-123')).toBe('completed'));
    expect(await queue.add('welcome', { v: 3 }, { jobId: 'welcome-123' })).toBe('welcome-123');
    await sleep(30);
    expect(handler).toHaveBeenCalledOnce();
    expect((await queue.getJob('welcome-123'))?.data).toEqual({ v: 1 });
    expect(added).toEqual([{ type: 'added', jobId: 'welcome-123', name: 'welcome' }]);
    await queue.remove('welcome-123');
    await queue.add('welcome', { v: 4 }, { jobId: 'welcome-123' });
    await eventually(() => expect(handler).toHaveBeenCalledTimes(2));
    await expect(queue.add('welcome', {}, { jobId: '42' })).rejects.toSatisfy(
      (error) => codeOf(error) === 'FW_QUEUE_INVALID_OPTION',
    );
  });

  it('repeats every N ms, up to the limit', async () => {
    const { queue } = open();
    const runs: { id: string; at: number }[] = [];
    queue.process('tick', (job) => {
      runs.push({ id: job.id, at: Date.now() });
    });
    const addedAt = Date.now();
    const first = await queue.add('tick', {}, { repeat: { every: 100, limit: 3 } });
    expect(first).toMatch(/^repeat:tick:every 100:\d+$/);
    await eventually(() => expect(runs).toHaveLength(3));
    expect(runs[0]?.id).toBe(first);
    expect(new Set(runs.map((run) => run.id)).size).toBe(3);
    expect((runs[1]?.at ?? 0) - addedAt).toBeGreaterThanOrEqual(100);
    expect((runs[2]?.at ?? 0) - addedAt).toBeGreaterThanOrEqual(200);
    await sleep(250);
    expect(runs).toHaveLength(3);
    expect(await queue.stats()).toMatchObject({ completed: 3, delayed: 0, waiting: 0 });
  });

  it('adding the same repeat again replaces its next run instead of adding another', async () => {
    const { queue } = open({ work: false });
    const first = await queue.add('tick', {}, { repeat: { every: 60_000 } });
    const again = await queue.add('tick', {}, { repeat: { every: 60_000 } });
    expect(again).toBe(first);
    expect(await queue.stats()).toMatchObject({ waiting: 1, delayed: 0 });
    await expect(queue.remove(first)).rejects.toSatisfy((error) => codeOf(error) === 'FW_QUEUE_NOT_FOUND');
  });

  it('follows a cron expression with seconds', async () => {
    const { queue } = open();
    const runs: { id: string; at: number }[] = [];
    queue.process('cron', (job) => {
      runs.push({ id: job.id, at: Date.now() });
    });
    const addedAt = Date.now();
    const first = await queue.add('cron', {}, { repeat: { cron: '* * * * * *', limit: 2 } });
    // The first run is the next whole second, not now.
    const due = Number(first.split(':').at(-1));
    expect(due % 1_000).toBe(0);
    expect(due).toBeGreaterThan(addedAt);
    await eventually(() => expect(runs).toHaveLength(2));
    expect(runs[0]?.id).toBe(first);
    expect(runs[0]?.at).toBeGreaterThanOrEqual(due);
    expect(runs[1]?.id).toBe(`repeat:cron:* * * * * *:${due + 1_000}`);
    expect(runs[1]?.at).toBeGreaterThanOrEqual(due + 1_000);
    await expect(queue.add('cron', {}, { repeat: { cron: 'every day' } })).rejects.toSatisfy(
      (error) => codeOf(error) === 'FW_QUEUE_INVALID_OPTION',
    );
  });

  it('stops repeating on close', async () => {
    const { queue } = open();
    let runs = 0;
    queue.process('tick', () => {
      runs++;
    });
    await queue.add('tick', {}, { repeat: { every: 20 } });
    await eventually(() => expect(runs).toBeGreaterThanOrEqual(2));
    await queue.close();
    const after = runs;
    await sleep(100);
    expect(runs).toBe(after);
  });
});

describe('InlineQueue: managing jobs', () => {
  it('counts jobs in each state', async () => {
    const { queue } = open({ retry: { attempts: 1 } });
    const slow = gate();
    queue.process('ok', () => 'ok');
    queue.process('bad', () => {
      throw new Error('bad');
    });
    queue.process('slow', () => slow.promise);
    await queue.add('ok', {});
    await queue.add('bad', {});
    const slowId = await queue.add('slow', {});
    await queue.add('ok', {});
    await queue.add('ok', {}, { delay: 60_000 });
    await eventually(async () => expect(await state(queue, slowId)).toBe('active'));
    expect(await queue.stats()).toEqual({ waiting: 1, active: 1, completed: 1, failed: 1, delayed: 1, paused: 0 });
    slow.release();
    await eventually(async () => expect((await queue.stats()).completed).toBe(3));
  });

  it('pause stops starting jobs (the active one finishes); resume starts them again', async () => {
    const { queue } = open();
    const slow = gate();
    const ran: string[] = [];
    queue.process('job', async (job) => {
      ran.push(job.id);
      if (job.id === '1') await slow.promise;
    });
    await queue.add('job', {});
    await eventually(() => expect(ran).toEqual(['1']));
    await queue.pause();
    await queue.add('job', {});
    await queue.add('job', {});
    expect(await queue.stats()).toMatchObject({ active: 1, waiting: 0, paused: 2 });
    slow.release();
    await eventually(async () => expect(await state(queue, '1')).toBe('completed'));
    await sleep(50);
    expect(ran).toEqual(['1']);
    await queue.resume();
    await eventually(() => expect(ran).toEqual(['1', '2', '3']));
    expect(await queue.stats()).toMatchObject({ paused: 0, completed: 3 });
  });

  it('retry runs a failed job again; anything else is not found', async () => {
    const { queue } = open({ retry: { attempts: 2, delay: 1 } });
    let fail = true;
    const attempts: number[] = [];
    queue.process('job', (job) => {
      attempts.push(job.attempt);
      if (fail) throw new Error('down');
      return 'up';
    });
    const id = await queue.add('job', {});
    await eventually(async () => expect(await state(queue, id)).toBe('failed'));
    fail = false;
    await queue.retry(id);
    await eventually(async () => expect(await queue.getJob(id)).toMatchObject({ state: 'completed', result: 'up' }));
    // As BullMQ's retry: earlier attempts stay counted.
    expect(attempts).toEqual([1, 2, 3]);
    expect(await queue.failed()).toEqual([]);
    await expect(queue.retry(id)).rejects.toSatisfy((error) => codeOf(error) === 'FW_QUEUE_NOT_FOUND');
    await expect(queue.retry('missing')).rejects.toSatisfy((error) => codeOf(error) === 'FW_QUEUE_NOT_FOUND');
  });

  it('remove deletes a job that is not running', async () => {
    const { queue } = open();
    const slow = gate();
    const ran: string[] = [];
    queue.process('job', async (job) => {
      ran.push(job.id);
      await slow.promise;
    });
    const running = await queue.add('job', {});
    const waiting = await queue.add('job', {});
    const delayed = await queue.add('job', {}, { delay: 60_000 });
    await eventually(async () => expect(await state(queue, running)).toBe('active'));
    await expect(queue.remove(running)).rejects.toSatisfy((error) => codeOf(error) === 'FW_QUEUE_NOT_FOUND');
    await expect(queue.remove('missing')).rejects.toSatisfy((error) => codeOf(error) === 'FW_QUEUE_NOT_FOUND');
    await queue.remove(waiting);
    await queue.remove(delayed);
    expect(await queue.getJob(waiting)).toBeUndefined();
    expect(await queue.stats()).toMatchObject({ waiting: 0, delayed: 0, active: 1 });
    slow.release();
    await eventually(async () => expect(await state(queue, running)).toBe('completed'));
    await sleep(30);
    expect(ran).toEqual([running]);
  });

  it('clean deletes finished jobs older than the grace period, up to the limit', async () => {
    const { queue } = open({ retry: { attempts: 1 } });
    queue.process('ok', () => 'ok');
    queue.process('bad', () => {
      throw new Error('bad');
    });
    await queue.addBulk([
      { name: 'ok', data: {} },
      { name: 'ok', data: {} },
      { name: 'bad', data: {} },
      { name: 'bad', data: {} },
    ]);
    await eventually(async () => expect(await queue.stats()).toMatchObject({ completed: 2, failed: 2 }));
    await sleep(20);
    expect(await queue.clean(60_000)).toBe(0);
    expect(await queue.clean(0, 'failed', 1)).toBe(1);
    expect((await queue.failed()).map((job) => job.id)).toEqual(['4']);
    expect(await queue.clean(0)).toBe(2);
    expect(await queue.getJob('1')).toBeUndefined();
    expect(await queue.stats()).toMatchObject({ completed: 0, failed: 1 });
  });

  it('keeps only the newest keepCompleted completed jobs', async () => {
    const { queue } = open({ keepCompleted: 2 });
    queue.process('job', () => 'done');
    await queue.addBulk(Array.from({ length: 4 }, () => ({ name: 'job', data: {} })));
    await eventually(async () => expect(await state(queue, '4')).toBe('completed'));
    expect((await queue.stats()).completed).toBe(2);
    expect(await queue.getJob('2')).toBeUndefined();
    expect(await state(queue, '3')).toBe('completed');
  });

  it('flush deletes every job', async () => {
    const { queue } = open({ work: false });
    await queue.add('job', {});
    await queue.add('job', {}, { delay: 60_000 });
    await queue.add('tick', {}, { repeat: { every: 1_000 } });
    await queue.flush();
    expect(await queue.stats()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, paused: 0 });
    expect(await queue.getJob('1')).toBeUndefined();
  });
});

describe('InlineQueue: events and hooks', () => {
  it('reports added, active, progress and completed, until unsubscribed', async () => {
    const { queue } = open();
    const events: QueueEvent[] = [];
    const types = ['added', 'active', 'progress', 'completed', 'failed'] as const;
    const unsubscribe = types.map((type) => queue.on(type, (event) => events.push(event)));
    queue.process('job', async (job) => {
      await job.progress(50);
      await job.progress({ step: 'two' });
      return { ok: true };
    });
    const id = await queue.add('job', {});
    await eventually(() => expect(events.at(-1)?.type).toBe('completed'));
    expect(events).toEqual([
      { type: 'added', jobId: id, name: 'job' },
      { type: 'active', jobId: id },
      { type: 'progress', jobId: id, progress: 50 },
      { type: 'progress', jobId: id, progress: { step: 'two' } },
      { type: 'completed', jobId: id, result: { ok: true } },
    ]);
    for (const off of unsubscribe) off();
    const second = await queue.add('job', {});
    await eventually(async () => expect(await state(queue, second)).toBe('completed'));
    expect(events).toHaveLength(5);
  });

  it('calls onComplete with the job and its result; a throwing hook is logged and changes nothing', async () => {
    const onComplete = vi.fn(() => {
      throw new Error('hook bug');
    });
    const onFailed = vi.fn(async () => {
      throw new Error('async hook bug');
    });
    const { queue, logger } = open({ retry: { attempts: 1 }, hooks: { onComplete, onFailed } });
    queue.process('ok', (job) => ({ got: job.data }));
    queue.process('bad', () => {
      throw new Error('bad');
    });
    const ok = await queue.add('ok', { n: 1 });
    const bad = await queue.add('bad', {});
    // The two hooks' throws, and the job that failed for good (issue 12: failed jobs are logged).
    await eventually(() => expect(logger.error).toHaveBeenCalledTimes(3));
    expect(onComplete).toHaveBeenCalledWith(
      expect.objectContaining({ id: ok, name: 'ok', attempt: 1, data: { n: 1 } }),
      { got: { n: 1 } },
    );
    expect(onFailed).toHaveBeenCalledWith(
      expect.objectContaining({ id: bad, attempt: 1 }),
      expect.objectContaining({ message: 'bad' }),
      false,
    );
    expect(logger.error.mock.calls.map(([, message]) => message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('onComplete hook threw'),
        expect.stringContaining('onFailed hook threw'),
        expect.stringContaining(`job ${bad} (bad) failed after 1 attempt: bad`),
      ]),
    );
    expect(await queue.getJob(ok)).toMatchObject({ state: 'completed', result: { got: { n: 1 } } });
    expect(await queue.getJob(bad)).toMatchObject({ state: 'failed', error: 'bad' });
  });
});

describe('InlineQueue: close', () => {
  it('waits for active jobs, then stops: delayed jobs do not run, adding is refused', async () => {
    const { queue, logger } = open();
    const slow = gate();
    const ran: string[] = [];
    queue.process('job', async (job) => {
      ran.push(job.id);
      await slow.promise;
      return 'finished';
    });
    const active = await queue.add('job', {});
    await queue.add('job', {}, { delay: 20 });
    await eventually(() => expect(ran).toEqual([active]));
    let closed = false;
    const closing = queue.close().then(() => {
      closed = true;
    });
    await sleep(50);
    expect(closed).toBe(false);
    slow.release();
    await closing;
    expect(await queue.getJob(active)).toMatchObject({ state: 'completed', result: 'finished' });
    await sleep(50);
    expect(ran).toEqual([active]);
    expect(logger.warn).not.toHaveBeenCalled();
    await expect(queue.add('job', {})).rejects.toBeInstanceOf(QueueUnavailableError);
  });

  it('resolves after the timeout when a job is still running, and says so', async () => {
    const { queue, logger } = open();
    const stuck = gate();
    queue.process('job', () => stuck.promise);
    const id = await queue.add('job', {});
    await eventually(async () => expect(await state(queue, id)).toBe('active'));
    await queue.close(50);
    expect(logger.warn).toHaveBeenCalledWith(expect.anything(), expect.stringContaining('still running'));
    stuck.release();
  });

  it('rejects bad queue options when created', () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    for (const options of [
      { concurrency: 0 },
      { limiter: { max: 0, duration: 1_000 } },
      { retry: { attempts: 0 } },
      { keepCompleted: -1 },
    ]) {
      expect(() => new InlineQueue('bad', options, logger)).toThrow(QueueError);
    }
  });
});
