// One contender of the cache benchmark in its own process, driven by src/cache/run.mjs over IPC:
//   node src/cache/worker.mjs <contender>     (BENCH_REDIS_URL: the Redis of part 1)
// It opens the contender, answers the correctness check, then runs timed measurements on request.
// Only the operations are inside the timed region.
import { performance } from 'node:perf_hooks';
import { CONTENDERS } from './contenders.mjs';
import { IN_FLIGHT, INDEX_MASK, KEY_COUNT, memoryFixtures } from './data.mjs';

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

const spec = CONTENDERS.find((c) => c.name === name);
let contender;
try {
  if (!spec) throw new Error(`unknown contender ${name}`);
  contender = await spec.open(process.env.BENCH_REDIS_URL);
} catch (error) {
  sendAndExit({ type: 'unavailable', reason: `cannot load: ${errorText(error)}` });
  await new Promise(() => {}); // exits in sendAndExit's callback
}
const fx = spec.part === 'memory' ? memoryFixtures() : null;
send({ type: 'ready', pid: process.pid });

// --- Part 1: the Redis hit path ------------------------------------------------------------------

const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

/** One awaited operation after another; per-operation latencies (ms). */
async function sequential(op, seconds) {
  const latencies = [];
  let timed = 0;
  let wrong = 0;
  const end = performance.now() + seconds * 1000;
  for (;;) {
    const start = performance.now();
    const value = await op();
    const stop = performance.now();
    if (value === undefined || value === null) wrong++;
    latencies.push(stop - start);
    timed += stop - start;
    if (stop >= end) break;
  }
  return { ops: latencies.length, timedMs: timed, latencies, wrong };
}

/** IN_FLIGHT operations started together, awaited with Promise.all, again and again; batch latencies (ms). */
async function concurrent(op, seconds) {
  const batch = new Array(IN_FLIGHT);
  const latencies = [];
  let timed = 0;
  let wrong = 0;
  const end = performance.now() + seconds * 1000;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < IN_FLIGHT; i++) batch[i] = op();
    const values = await Promise.all(batch);
    const stop = performance.now();
    if (values[0] === undefined || values[0] === null || values[IN_FLIGHT - 1] === undefined) wrong++;
    latencies.push(stop - start);
    timed += stop - start;
    if (stop >= end) break;
  }
  return { ops: latencies.length * IN_FLIGHT, timedMs: timed, latencies, wrong };
}

// --- Part 2: the memory store --------------------------------------------------------------------
// Separate loops per workload and per sync/async, so that each call site sees one function.
// Operations run in batches of BATCH between two clock reads (a read costs more than an operation).

const BATCH = 4096;

function fill() {
  const { keys, values } = fx;
  for (let i = 0; i < KEY_COUNT; i++) contender.set(keys[i], values[i]);
}

async function fillAsync() {
  const { keys, values } = fx;
  for (let i = 0; i < KEY_COUNT; i++) await contender.set(keys[i], values[i]);
}

function result(ops, start, stop, misses) {
  return { ops, timedMs: stop - start, wrong: misses };
}

function getLoop(seconds) {
  const { keys, getIndexes } = fx;
  const get = contender.get;
  let j = 0;
  let ops = 0;
  let misses = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now;
  do {
    for (let b = 0; b < BATCH; b++) if (get(keys[getIndexes[j++ & INDEX_MASK]]) === undefined) misses++;
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return result(ops, start, now, misses);
}

function setLoop(seconds) {
  const { keys, pool, setIndexes, poolIndexes } = fx;
  const set = contender.set;
  let j = 0;
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now;
  do {
    for (let b = 0; b < BATCH; b++, j++) set(keys[setIndexes[j & INDEX_MASK]], pool[poolIndexes[j & INDEX_MASK]]);
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return result(ops, start, now, 0);
}

function mixedLoop(seconds) {
  const { keys, pool, getIndexes, poolIndexes, plan } = fx;
  const get = contender.get;
  const set = contender.set;
  let j = 0;
  let ops = 0;
  let misses = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now;
  do {
    for (let b = 0; b < BATCH; b++, j++) {
      const i = j & INDEX_MASK;
      if (plan[i] === 1) set(keys[getIndexes[i]], pool[poolIndexes[i]]);
      else if (get(keys[getIndexes[i]]) === undefined) misses++;
    }
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return result(ops, start, now, misses);
}

async function getLoopAsync(seconds) {
  const { keys, getIndexes } = fx;
  const get = contender.get;
  let j = 0;
  let ops = 0;
  let misses = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now;
  do {
    for (let b = 0; b < BATCH; b++) if ((await get(keys[getIndexes[j++ & INDEX_MASK]])) === undefined) misses++;
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return result(ops, start, now, misses);
}

async function setLoopAsync(seconds) {
  const { keys, pool, setIndexes, poolIndexes } = fx;
  const set = contender.set;
  let j = 0;
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now;
  do {
    for (let b = 0; b < BATCH; b++, j++) await set(keys[setIndexes[j & INDEX_MASK]], pool[poolIndexes[j & INDEX_MASK]]);
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return result(ops, start, now, 0);
}

async function mixedLoopAsync(seconds) {
  const { keys, pool, getIndexes, poolIndexes, plan } = fx;
  const get = contender.get;
  const set = contender.set;
  let j = 0;
  let ops = 0;
  let misses = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now;
  do {
    for (let b = 0; b < BATCH; b++, j++) {
      const i = j & INDEX_MASK;
      if (plan[i] === 1) await set(keys[getIndexes[i]], pool[poolIndexes[i]]);
      else if ((await get(keys[getIndexes[i]])) === undefined) misses++;
    }
    ops += BATCH;
    now = performance.now();
  } while (now < end);
  return result(ops, start, now, misses);
}

const LOOPS = {
  sync: { get: getLoop, set: setLoop, mixed: mixedLoop },
  async: { get: getLoopAsync, set: setLoopAsync, mixed: mixedLoopAsync },
};

// --- Check and measure ---------------------------------------------------------------------------

/** What the contender answers, for the harness to compare with the expected values. */
async function check() {
  if (spec.part === 'redis') {
    const first = text(await contender.op());
    const batch = await Promise.all(Array.from({ length: IN_FLIGHT }, () => contender.op()));
    return { value: first, batchSame: batch.every((v) => text(v) === first), stats: contender.stats?.() ?? null };
  }
  if (contender.async) await fillAsync();
  else fill();
  const { keys, values, pool } = fx;
  let hits = 0;
  let same = 0;
  for (let i = 0; i < KEY_COUNT; i++) {
    const value = await contender.get(keys[i]);
    if (value !== undefined) hits++;
    if (value === values[i]) same++;
  }
  await contender.set(keys[0], pool[0]);
  const overwritten = (await contender.get(keys[0])) === pool[0];
  await contender.set(keys[0], values[0]);
  return { keys: KEY_COUNT, hits, same, overwritten, info: contender.info() };
}

/**
 * One slice of a measurement. The harness interleaves a measurement's slices with the other
 * contenders' (`reset` on the first, `final` on the last); this process adds them up and answers
 * the whole measurement's figures on the last.
 */
let acc = null;
async function measure({ workload, seconds, reset = true, final = true }) {
  let slice;
  if (spec.part === 'redis') slice = await (workload === 'seq' ? sequential : concurrent)(contender.op, seconds);
  else {
    const loop = LOOPS[contender.async ? 'async' : 'sync'][workload];
    if (!loop) throw new Error(`unknown workload ${workload}`);
    slice = await loop(seconds);
  }
  if (reset || acc === null || acc.workload !== workload)
    acc = { workload, ops: 0, timedMs: 0, wrong: 0, latencies: [] };
  acc.ops += slice.ops;
  acc.timedMs += slice.timedMs;
  acc.wrong += slice.wrong;
  if (slice.latencies) for (const l of slice.latencies) acc.latencies.push(l);
  if (!final) return { partial: true, ops: acc.ops };
  const { ops, timedMs, wrong, latencies } = acc;
  acc = null;
  const out = { ops, timedMs, opsPerSec: (ops / timedMs) * 1000, wrong };
  if (spec.part === 'memory') return { ...out, nsPerOp: (timedMs / ops) * 1e6, info: contender.info() };
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const stats = contender.stats?.() ?? null;
  if (workload === 'seq')
    return { ...out, usPerOp: (timedMs / ops) * 1000, p50Us: at(0.5) * 1000, p99Us: at(0.99) * 1000, stats };
  return { ...out, usPerOp: (timedMs / ops) * 1000, batchP50Ms: at(0.5), batchP99Ms: at(0.99), stats };
}

process.on('message', async (message) => {
  try {
    if (message.type === 'check') send({ type: 'checked', answers: await check() });
    else if (message.type === 'measure') send({ type: 'measured', result: await measure(message) });
    else if (message.type === 'close') {
      await Promise.race([contender.close(), new Promise((resolve) => setTimeout(resolve, 3000))]);
      sendAndExit({ type: 'closed' });
    }
  } catch (error) {
    send({ type: 'error', reason: errorText(error) });
  }
});
