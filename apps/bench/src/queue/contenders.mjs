// The contenders of the queue benchmark, each opened in its own process by src/queue/worker.mjs.
// `open(url)` loads the library; `start(queueName, { concurrency, onComplete })` makes a queue and
// its worker on a fresh queue name and resolves to `{ add, addBulk, prefix, close }`:
//   add(data)          queues one job named JOB_NAME and resolves when Redis has it
//   addBulk(datas)     queues them in one call
//   onComplete(job)    called once per completed job (where the job ran), with the job's data
//   close()            obliterates the queue (its keys) and closes the worker and every connection
// The handler does trivial work and returns { ok: true } in every contender.

import { pathToFileURL } from 'node:url';

/** The one job name every contender uses. */
export const JOB_NAME = 'job';
/** What every handler returns. */
export const RESULT = { ok: true };

/** The job options raw BullMQ is given: what ours asks BullMQ for with its defaults. */
export const RAW_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 1_000 },
};

/** The connection options ours uses (packages/queue/src/internal/connection.ts). */
const OURS_PRODUCER_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 2_000),
};
const OURS_WORKER_OPTIONS = {
  enableOfflineQueue: true,
  maxRetriesPerRequest: null,
  commandTimeout: undefined,
  retryStrategy: (times) => Math.min(times * 100, 2_000),
};

/** What ours asks BullMQ for, built per job as ours builds it (packages/queue/src/redis-queue.ts, `prepare`). */
const oursJobOptions = () => ({
  attempts: 3,
  backoff: { type: 'framework' },
  removeOnComplete: { count: 1_000 },
  removeOnFail: false,
});

async function quit(client) {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/**
 * Raw BullMQ: Queue + Worker used directly, as BullMQ's documentation writes them. With `asOurs`,
 * configured exactly as ours configures BullMQ (connection options, prefix, job options built per
 * job, the worker's backoffStrategy, a `failed` listener), without ours' code around it.
 */
function rawContender({ producerOptions, asOurs = false, loadOurs = false } = {}) {
  return async (url) => {
    // Loaded, never used: what ours' module graph (TypeScript source, @framework/core) costs a process.
    if (loadOurs) await import('@framework/queue');
    const { Queue, Worker } = await import('bullmq');
    const { Redis } = await import('ioredis');
    return {
      async start(queueName, { concurrency, onComplete }) {
        const producer = new Redis(url, asOurs ? OURS_PRODUCER_OPTIONS : producerOptions);
        const consumer = new Redis(url, asOurs ? OURS_WORKER_OPTIONS : { maxRetriesPerRequest: null });
        for (const client of [producer, consumer]) client.on('error', () => {});
        const prefix = asOurs ? 'queue' : 'bull';
        const queue = new Queue(queueName, { connection: producer, prefix });
        queue.on('error', () => {});
        const workerOptions = { connection: consumer, prefix, concurrency };
        if (asOurs) {
          workerOptions.settings = {
            backoffStrategy: (attemptsMade) => Math.min(1_000 * 2 ** Math.max(0, attemptsMade - 1), 3_600_000),
          };
        }
        const worker = new Worker(queueName, async () => ({ ok: true }), workerOptions);
        worker.on('error', (error) => process.stderr.write(`raw worker: ${error.message}\n`));
        worker.on('completed', (job) => onComplete(job));
        if (asOurs) worker.on('failed', () => {});
        const opts = asOurs ? oursJobOptions : () => RAW_JOB_OPTIONS;
        return {
          prefix,
          add: (data) => queue.add(JOB_NAME, data, opts()),
          addBulk: (datas) => queue.addBulk(datas.map((data) => ({ name: JOB_NAME, data, opts: opts() }))),
          async close() {
            await queue.obliterate({ force: true });
            await worker.close();
            await queue.close();
            await Promise.all([quit(producer), quit(consumer)]);
          },
        };
      },
    };
  };
}

/** Ours: createQueue with a zod schema for the job, process(name, handler), hooks.onComplete. */
function oursContender({ schema = true, from = () => '@framework/queue' } = {}) {
  return async (url) => {
    const { createQueue } = await import(from());
    const { z } = await import('zod');
    const logger = {
      warn: (message) => process.stderr.write(`ours warn: ${message}\n`),
      error: (message) => process.stderr.write(`ours error: ${message}\n`),
    };
    return {
      async start(queueName, { concurrency, onComplete }) {
        const queue = createQueue(queueName, {
          redis: url,
          env: {},
          concurrency,
          logger,
          ...(schema ? { jobs: { [JOB_NAME]: z.object({ n: z.number() }) } } : {}),
          hooks: { onComplete: (job) => onComplete(job) },
        });
        queue.process(JOB_NAME, async () => ({ ok: true }));
        return {
          prefix: 'queue',
          add: (data) => queue.add(JOB_NAME, data),
          addBulk: (datas) => queue.addBulk(datas.map((data) => ({ name: JOB_NAME, data }))),
          /** Ours checks job data against its schema before anything is sent. */
          rejectsInvalid: schema
            ? async () => {
                try {
                  await queue.add(JOB_NAME, { n: 'not a number' });
                  return false;
                } catch (error) {
                  return error?.name === 'QueueValidationError';
                }
              }
            : null,
          async close() {
            await queue.flush();
            await queue.close();
          },
        };
      },
    };
  };
}

/**
 * In measuring order, the compared ones next to each other. `extra` ones run only when named with
 * --only (or, except `onlyWhenNamed` ones, with --extras): they split a gap, they have no target.
 */
export const CONTENDERS = [
  {
    name: 'raw',
    label:
      "BullMQ `Queue` + `Worker` directly: queue on `new Redis(url)`, worker on `new Redis(url, { maxRetriesPerRequest: null })`; job options `{ attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 1000 } }`; `worker.on('completed')` counts",
    open: rawContender(),
  },
  {
    name: 'ours',
    ours: true,
    label:
      "`createQueue(name, { redis: url, env: {}, concurrency, jobs: { job: z.object({ n: z.number() }) }, hooks: { onComplete } })`, `process('job', handler)`; `hooks.onComplete` counts",
    open: oursContender(),
  },
  {
    name: 'raw-config',
    extra: true,
    label:
      "raw BullMQ configured exactly as ours configures it (ours' connection options: a 2 s `commandTimeout` on the producer, no offline queue; prefix `queue`; job options built per job: `{ attempts: 3, backoff: { type: 'framework' }, removeOnComplete: { count: 1000 }, removeOnFail: false }`; the worker's `backoffStrategy`; a `failed` listener), without ours' code: what ours' configuration costs BullMQ",
    open: rawContender({ asOurs: true }),
  },
  {
    name: 'raw-opts',
    extra: true,
    onlyWhenNamed: true,
    label:
      "raw with ours' producer connection options only (`enableOfflineQueue: false`, `maxRetriesPerRequest: 1`, `commandTimeout: 2000`)",
    open: rawContender({ producerOptions: OURS_PRODUCER_OPTIONS }),
  },
  {
    name: 'raw-loaded',
    extra: true,
    onlyWhenNamed: true,
    label:
      "raw in a process that has also loaded `@framework/queue` (and so `@framework/core`, both TypeScript source run through Node's type stripping), never using it: what ours' module graph costs the process, apart from ours' per-job code",
    open: rawContender({ loadOurs: true }),
  },
  {
    name: 'ours-noschema',
    extra: true,
    label: 'ours without `jobs` schemas (no validation on add or in the worker): what the schema checks cost',
    open: oursContender({ schema: false }),
  },
  ...['', '2'].map((suffix) => ({
    name: `ours-copy${suffix}`,
    extra: true,
    onlyWhenNamed: true,
    label: `ours loaded from \`BENCH_QUEUE_COPY${suffix}\` (the path of a copy of \`packages/queue/src/index.ts\`): a change tried on a copy, measured without editing the package`,
    open: oursContender({
      from: () => {
        const copy = process.env[`BENCH_QUEUE_COPY${suffix}`];
        if (!copy)
          throw new Error(`BENCH_QUEUE_COPY${suffix} is not set (the path of a copy of packages/queue/src/index.ts)`);
        return pathToFileURL(copy).href;
      },
    }),
  })),
];

/** The workloads: how the N jobs are added (the worker processes them meanwhile, in the same process). */
export const WORKLOADS = [
  { id: 'addBulk', label: '`addBulk`, chunks of 500', chunk: 500 },
  { id: 'add', label: '`add`, one awaited after another' },
];

export const CONCURRENCIES = [1, 16];
