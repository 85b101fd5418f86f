#!/usr/bin/env node
// Two checks behind the "where the time goes" of RESULTS-queue.md, outside the timed benchmark:
//
//   node src/queue/probe.mjs commands [--jobs=3000] [--workload=addBulk|add] [--concurrency=1]
//       the Redis commands each contender sends per job (INFO commandstats of a throwaway Redis
//       from @framework/test-services, or REDIS_URL), one contender after the other
//   node src/queue/probe.mjs layer [--jobs=200000]
//       ours' own per-job code without Redis: RedisQueue#add, #addBulk and the worker's #run with
//       BullMQ's Queue replaced by a stub that resolves at once, against the stub alone
//
// Both are plain sequential runs in this process (not interleaved, not pinned): they show what
// work is done, not how fast; the timed comparison is src/queue/run.mjs.
import { performance } from 'node:perf_hooks';
import { startServices } from '@framework/test-services';
import { CONTENDERS } from './contenders.mjs';

const args = Object.fromEntries(
  process.argv
    .slice(3)
    .map((a) => a.replace(/^--/, '').split('='))
    .map(([k, v]) => [k, v ?? true]),
);
const mode = process.argv[2];

async function commands() {
  const n = Number(args.jobs ?? 3000);
  const workload = args.workload ?? 'addBulk';
  const concurrency = Number(args.concurrency ?? 1);
  const services = process.env.REDIS_URL ? null : await startServices({ redis: true, log: () => {} });
  const url = process.env.REDIS_URL ?? services.env.REDIS_URL;
  const { Redis } = await import('ioredis');
  const admin = new Redis(url);
  try {
    for (const name of ['raw', 'ours', 'raw-config']) {
      const contender = await CONTENDERS.find((c) => c.name === name).open(url);
      let done = 0;
      let wake;
      const finished = new Promise((resolve) => {
        wake = resolve;
      });
      const queue = await contender.start(`probe-${name}-${process.pid}`, {
        concurrency,
        onComplete: () => {
          if (++done === n) wake();
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await admin.config('RESETSTAT');
      const datas = Array.from({ length: n }, (_, i) => ({ n: i }));
      if (workload === 'addBulk') for (let i = 0; i < n; i += 500) await queue.addBulk(datas.slice(i, i + 500));
      else for (const data of datas) await queue.add(data);
      await finished;
      const info = await admin.info('commandstats');
      const rows = info
        .split('\r\n')
        .filter((l) => l.startsWith('cmdstat_'))
        .map((l) => [l.slice(8, l.indexOf(':')), Number(/calls=(\d+)/.exec(l)[1])])
        .filter(([command]) => command !== 'info' && !command.startsWith('config'));
      const total = rows.reduce((sum, [, calls]) => sum + calls, 0);
      process.stdout.write(
        `${name}: ${(total / n).toFixed(2)} commands per job (${workload}, concurrency ${concurrency}, ${n} jobs): ` +
          `${rows
            .sort((a, b) => b[1] - a[1])
            .map(([command, calls]) => `${command} ${(calls / n).toFixed(2)}`)
            .join(', ')}\n`,
      );
      await queue.close();
    }
  } finally {
    admin.disconnect();
    await services?.stop();
  }
}

async function layer() {
  const n = Number(args.jobs ?? 200_000);
  const { createQueue } = await import('@framework/queue');
  const { z } = await import('zod');
  // Never connects: ioredis connects lazily on the first command, and no command is sent.
  const queue = createQueue('probe', {
    redis: 'redis://127.0.0.1:1',
    env: {},
    jobs: { job: z.object({ n: z.number() }) },
    hooks: { onComplete: () => {} },
    logger: { warn() {}, error() {} },
  });
  let id = 0;
  const stub = {
    add: async () => ({ id: String(++id) }),
    addBulk: async (jobs) => jobs.map(() => ({ id: String(++id) })),
  };
  // The private fields of RedisQueue, reached from here for the experiment only.
  queue.bull = stub;
  queue.handlers.set('job', async () => ({ ok: true }));
  const handler = async () => ({ ok: true });
  const job = (i) => ({ id: String(i), name: 'job', data: { n: i }, attemptsMade: 0, timestamp: 0, opts: {} });
  const bulk = Array.from({ length: 500 }, (_, i) => ({ name: 'job', data: { n: i } }));
  const time = async (fn, count = n) => {
    const start = performance.now();
    await fn();
    return ((performance.now() - start) / count) * 1000;
  };
  for (let rep = 1; rep <= 4; rep++) {
    const add = await time(async () => {
      for (let i = 0; i < n; i++) await queue.add('job', { n: i });
    });
    const stubAdd = await time(async () => {
      for (let i = 0; i < n; i++) await stub.add('job', { n: i }, { attempts: 3 });
    });
    const addBulk = await time(async () => {
      for (let i = 0; i < n / 500; i++) await queue.addBulk(bulk);
    });
    const run = await time(async () => {
      for (let i = 0; i < n; i++) await queue.run(job(i));
    });
    const plain = await time(async () => {
      for (let i = 0; i < n; i++) await handler(job(i));
    });
    process.stdout.write(
      `pass ${rep}: add ${add.toFixed(2)} µs/job (the stub alone ${stubAdd.toFixed(2)}), addBulk ${addBulk.toFixed(2)} µs/job, ` +
        `worker run ${run.toFixed(2)} µs/job (the handler alone ${plain.toFixed(2)})\n`,
    );
  }
  queue.bull = { close: async () => {} };
  process.exit(0);
}

if (mode === 'commands') await commands();
else if (mode === 'layer') await layer();
else {
  process.stderr.write('usage: node src/queue/probe.mjs commands|layer [options] (see the head of this file)\n');
  process.exit(2);
}
