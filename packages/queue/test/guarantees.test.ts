import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startServices } from '@framework/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { createQueue } from '../src/create-queue.ts';
import { QueueUnavailableError } from '../src/errors.ts';
import type { Queue } from '../src/types.ts';
import { closeAfter, eventually, REDIS_URL, recordingLogger, sleep } from './helpers.ts';

const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the fixture worker; resolves with the process and a way to wait for a line of its output. */
function spawnWorker(mode: 'stall' | 'command', queueName: string, redisUrl = REDIS_URL) {
  const child = spawn(process.execPath, [WORKER, mode, queueName], {
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('guarantees on Redis (BullMQ)', () => {
  it('10 000 jobs through 4 workers: every one completes, none twice where a jobId makes it idempotent', {
    timeout: 120_000,
  }, async () => {
    const name = `q-${randomUUID()}`;
    const runs = new Map<string, number>();
    const perWorker = [0, 0, 0, 0];
    const workers = perWorker.map((_, index) => {
      const q = closeAfter(
        createQueue<{ job: { n: number } }>(name, {
          redis: REDIS_URL,
          env: {},
          concurrency: 8,
          keepCompleted: 20_000,
          logger: recordingLogger(),
        }),
      );
      q.process('job', async (job) => {
        runs.set(job.data.n.toString(), (runs.get(job.data.n.toString()) ?? 0) + 1);
        perWorker[index]!++;
      });
      return q;
    });
    const producer = workers[0]!;
    for (let start = 0; start < 10_000; start += 1_000) {
      await producer.addBulk(
        Array.from({ length: 1_000 }, (_, i) => ({
          name: 'job' as const,
          data: { n: start + i },
          options: { jobId: `job-${start + i}` },
        })),
      );
    }
    // The same business events again: a retried request, a replayed webhook.
    await producer.addBulk(
      Array.from({ length: 1_000 }, (_, i) => ({
        name: 'job' as const,
        data: { n: i },
        options: { jobId: `job-${i}` },
      })),
    );
    await eventually(async () => expect((await producer.stats()).completed).toBe(10_000), 100_000);
    expect(runs.size).toBe(10_000);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(perWorker.reduce((sum, n) => sum + n, 0)).toBe(10_000);
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(await producer.stats()).toMatchObject({ waiting: 0, active: 0, failed: 0, delayed: 0 });
  });

  it('a worker process killed (SIGKILL) mid-job: the job is picked up again after the stall interval and completes', {
    timeout: 60_000,
  }, async () => {
    const name = `q-${randomUUID()}`;
    const producer = closeAfter(
      createQueue(name, { redis: REDIS_URL, env: {}, work: false, logger: recordingLogger() }),
    );
    const id = await producer.add('slow', { report: 2026 });
    const doomed = spawnWorker('stall', name);
    await eventually(() => expect(doomed.output()).toContain(`started ${id}`), 30_000);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect((await producer.getJob(id))?.state).toBe('active');

    const rescuer = closeAfter(
      createQueue(name, {
        redis: REDIS_URL,
        env: {},
        worker: { lockDuration: 1_000, stalledInterval: 500 },
        logger: recordingLogger(),
      }),
    );
    rescuer.process('slow', async (job) => ({ recovered: job.data }));
    await eventually(async () => expect((await producer.getJob(id))?.state).toBe('completed'), 30_000);
    expect((await producer.getJob(id))?.result).toEqual({ recovered: { report: 2026 } });
  });

  it('SIGTERM to `queue:work`: active jobs finish, no new job is fetched, the process exits 0 (QU-06)', {
    timeout: 60_000,
  }, async () => {
    const name = `q-${randomUUID()}`;
    const producer = closeAfter(
      createQueue(name, { redis: REDIS_URL, env: {}, work: false, logger: recordingLogger() }),
    );
    const worker = spawnWorker('command', name);
    await eventually(() => expect(worker.output()).toContain('working on'), 30_000);
    const ids = await producer.addBulk([1, 2, 3, 4].map((n) => ({ name: 'second', data: { n } })));
    await eventually(() => expect(worker.output().match(/started/g)).toHaveLength(3), 30_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    for (const id of ids.slice(0, 3)) expect((await producer.getJob(id))?.state).toBe('completed');
    expect((await producer.getJob(ids[3]!))?.state).toBe('waiting');
    expect(worker.output()).toContain('stopped');
  });
});

describe('Redis restarted during processing (QU-05)', () => {
  it('workers reconnect on their own and every job completes; adding while Redis is down fails with 503', {
    timeout: 120_000,
  }, async () => {
    const services = await startServices({ redis: { persistent: true }, env: {}, log: () => {} });
    const url = services.env.REDIS_URL!;
    const done = new Set<number>();
    let q: Queue<{ job: { n: number } }> | undefined;
    try {
      q = createQueue<{ job: { n: number } }>(`q-${randomUUID()}`, {
        redis: url,
        env: {},
        concurrency: 10,
        keepCompleted: 5_000,
        logger: recordingLogger(),
      });
      q.process('job', async (job) => {
        await sleep(5);
        done.add(job.data.n);
      });
      await q.addBulk(Array.from({ length: 1_000 }, (_, n) => ({ name: 'job' as const, data: { n } })));
      await eventually(() => expect(done.size).toBeGreaterThan(100), 60_000);

      await services.halt('redis', { signal: 'SIGKILL' });
      const down = q.add('job', { n: -1 });
      await expect(down).rejects.toBeInstanceOf(QueueUnavailableError);
      await expect(down).rejects.toMatchObject({ status: 503 });
      await sleep(500);
      await services.resume('redis');

      const producer = q;
      await eventually(async () => expect((await producer.stats()).completed).toBe(1_000), 100_000);
      expect(done.size).toBe(1_000);
      expect(await producer.stats()).toMatchObject({ waiting: 0, active: 0, failed: 0 });
    } finally {
      await q?.close(2_000);
      await services.stop();
    }
  });
});
