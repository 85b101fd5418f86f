// One contender of the queue benchmark in its own process, driven by src/queue/run.mjs over IPC:
//   node src/queue/worker.mjs <contender>     (BENCH_REDIS_URL, and BENCH_REDIS_PID when known)
// It loads the contender, answers the correctness check, then runs measurements on request: a
// fresh queue and worker per measurement, one primer job through them (connections up, the worker
// waiting), then N jobs added and processed in this process; the clock runs from the first add to
// the N-th completion. The queue is obliterated and closed after, outside the clock.
import { performance } from 'node:perf_hooks';
import { processTicks } from '../lib/cpu.mjs';
import { CONTENDERS, RESULT } from './contenders.mjs';

const name = process.argv[2];
const send = (message) => process.send?.(message);
/** Sends a last message and exits once it is written (process.exit right after send could drop it). */
const sendAndExit = (message) => (process.send ? process.send(message, () => process.exit(0)) : process.exit(0));
const errorText = (error) =>
  String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 300);

// The harness going away (even by kill -9) closes the IPC channel: nothing is left behind.
process.on('disconnect', () => process.exit(0));

const url = process.env.BENCH_REDIS_URL;
const redisPid = Number(process.env.BENCH_REDIS_PID) || null;
const spec = CONTENDERS.find((c) => c.name === name);
let contender;
try {
  if (!spec) throw new Error(`unknown contender ${name}`);
  contender = await spec.open(url);
} catch (error) {
  sendAndExit({ type: 'unavailable', reason: `cannot load: ${errorText(error)}` });
  await new Promise(() => {}); // exits in sendAndExit's callback
}
send({ type: 'ready', pid: process.pid });

let sequence = 0;
const queueName = (what) => `bench-${name}-${process.pid}-${what}-${++sequence}`;

/** Resolves when `count()` reaches `target`, or rejects after `ms`. */
function waitFor(counter, target, ms) {
  if (counter.done >= target) return Promise.resolve(counter.at);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${counter.done} of ${target} jobs completed within ${Math.round(ms / 1000)} s`)),
      ms,
    );
    counter.wake = () => {
      if (counter.done < target) return;
      clearTimeout(timer);
      counter.wake = null;
      resolve(counter.at);
    };
  });
}

function makeCounter(record) {
  const counter = {
    done: 0,
    at: 0,
    wake: null,
    onComplete(job) {
      counter.done++;
      counter.at = performance.now();
      if (record) record(job);
      counter.wake?.();
    },
  };
  return counter;
}

/**
 * The correctness check: 10 jobs added one by one and 10 with addBulk at concurrency 4, each must
 * complete exactly once with its data; what BullMQ stored for them (options, result) is read back
 * through BullMQ's own Queue#getJob; ours must reject invalid data.
 */
async function check() {
  const seen = [];
  const counter = makeCounter((job) => seen.push(job.data?.n));
  const qname = queueName('check');
  const queue = await contender.start(qname, { concurrency: 4, onComplete: counter.onComplete });
  try {
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const added = await queue.add({ n: i });
      ids.push(String(added?.id ?? added));
    }
    const bulk = await queue.addBulk(Array.from({ length: 10 }, (_, i) => ({ n: 10 + i })));
    for (const job of bulk) ids.push(String(job?.id ?? job));
    await waitFor(counter, 20, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a 21st completion would show now
    const rejectsInvalid = queue.rejectsInvalid ? await queue.rejectsInvalid() : null;
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const reader = new Queue(qname, { connection, prefix: queue.prefix });
    const stored = await Promise.all([ids[0], ids[15]].map((id) => reader.getJob(id)));
    const counts = await reader.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    await reader.close();
    await connection.quit().catch(() => connection.disconnect());
    return {
      completions: counter.done,
      seen: [...seen].sort((a, b) => a - b),
      ids: new Set(ids).size,
      counts,
      rejectsInvalid,
      stored: stored.map((job) =>
        job
          ? {
              name: job.name,
              data: job.data,
              returnvalue: job.returnvalue,
              attempts: job.opts.attempts,
              backoff: job.opts.backoff,
              removeOnComplete: job.opts.removeOnComplete,
              removeOnFail: job.opts.removeOnFail ?? null,
            }
          : null,
      ),
      expectedResult: RESULT,
    };
  } finally {
    await queue.close();
  }
}

/**
 * A measurement is a session on one fresh queue, run in slices that the harness interleaves with
 * the other contenders' slices: `open` makes the queue and its worker and runs one primer job
 * through them (connections up, the worker waiting for jobs); each `slice` adds n jobs
 * (`workload`) and resolves at the n-th completion; `close` obliterates the queue and closes
 * everything, off the clock.
 */
let session = null;

async function openSession({ workload, concurrency, chunk = 500 }) {
  if (session) await closeSession();
  const counter = makeCounter(null);
  const queue = await contender.start(queueName(`${workload}-c${concurrency}`), {
    concurrency,
    onComplete: counter.onComplete,
  });
  session = { queue, counter, workload, chunk };
  await queue.add({ n: -1 });
  await waitFor(counter, 1, 30_000);
  return { opened: true };
}

async function slice({ n, timeoutMs = 120_000 }) {
  if (!session) throw new Error('no session open');
  const { queue, counter, workload, chunk } = session;
  counter.done = 0;
  const datas = Array.from({ length: n }, (_, i) => ({ n: i }));
  const redisBefore = redisPid ? processTicks(redisPid) : null;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  if (workload === 'addBulk') {
    for (let i = 0; i < n; i += chunk) await queue.addBulk(datas.slice(i, i + chunk));
  } else {
    for (let i = 0; i < n; i++) await queue.add(datas[i]);
  }
  const added = performance.now();
  const stop = await waitFor(counter, n, timeoutMs);
  const cpu = process.cpuUsage(cpuBefore);
  const redisAfter = redisPid ? processTicks(redisPid) : null;
  return {
    n,
    completed: counter.done,
    ms: stop - start,
    addMs: added - start,
    cpuUs: cpu.user + cpu.system,
    redisTicks: redisBefore !== null && redisAfter !== null ? redisAfter - redisBefore : null,
  };
}

async function closeSession() {
  const open = session;
  session = null;
  await open?.queue.close();
  return { closed: true };
}

process.on('message', async (message) => {
  try {
    if (message.type === 'check') send({ type: 'checked', answers: await check() });
    else if (message.type === 'open') send({ type: 'opened', result: await openSession(message) });
    else if (message.type === 'slice') send({ type: 'sliced', result: await slice(message) });
    else if (message.type === 'close-session') send({ type: 'session-closed', result: await closeSession() });
    else if (message.type === 'close') sendAndExit({ type: 'closed' });
  } catch (error) {
    send({ type: 'error', reason: errorText(error) });
  }
});
