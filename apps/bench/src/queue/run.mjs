#!/usr/bin/env node
// The queue benchmark: jobs per second, added and processed, `@framework/queue` ("ours") against
// raw BullMQ, at worker concurrency 1 and 16, jobs added with addBulk (chunks of 500) and with add
// one by one, on one real Redis in one run. Writes RESULTS-queue.md.
//
//   node src/queue/run.mjs               the full run (about 2½ minutes)
//   node src/queue/run.mjs --quick       smoke test (under a minute)
//   node src/queue/run.mjs --help
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { startServices } from '@framework/test-services';
import { processTicks } from '../lib/cpu.mjs';
import { BENCH_DIR, gitInfo, machineInfo, REPO_ROOT } from '../lib/env.mjs';
import { median } from '../lib/markdown.mjs';
import { installCleanup, liveProcesses, sleep, stopAll } from '../lib/proc.mjs';
import { taskWindow } from '../lib/task-window.mjs';
import { hasTaskset } from '../lib/wrk.mjs';
import { CONCURRENCIES, CONTENDERS, RESULT, WORKLOADS } from './contenders.mjs';
import { compareProfiles, summarizeProfiles } from './profile.mjs';
import { renderQueueResults } from './report.mjs';
import { startWorker } from './workers.mjs';

const PACKAGES = ['@framework/queue', 'bullmq', 'ioredis', 'zod'];
const REDO_ABOVE_PCT = 25;
const QUIET_LOAD = 1.5;
/** Seconds a measurement costs beyond its timed part: a fresh queue and worker, the primer job, obliterate, close. */
const SETUP_SECONDS = 0.5;
const WARMUP_SLICES = 4;

const HELP = `usage: node src/queue/run.mjs [options]

  --quick               smoke test: 1 round, measurements of about 1 s in 2 slices, small warm-up, no waiting
                        for a quiet machine; writes .results/RESULTS-queue.quick.md
  --only=<names>        contenders, comma-separated: ${CONTENDERS.map((c) => c.name).join(', ')}
  --workloads=<ids>     workloads, comma-separated: ${WORKLOADS.flatMap((w) => CONCURRENCIES.map((c) => `${w.id}-c${c}`)).join(', ')}
  --extras              also the extra contenders (${CONTENDERS.filter((c) => c.extra && !c.onlyWhenNamed)
    .map((c) => c.name)
    .join(', ')}): they split a gap, the run takes twice as long
                        (ours-copy, with --only: ours loaded from BENCH_QUEUE_COPY, the path of a copy
                        of packages/queue/src/index.ts, to measure a change without editing the package)
  --rounds=<n>          interleaved rounds (default 6)
  --seconds=<s>         target length of one measurement; N (jobs per measurement) is sized from the
                        warm-up for each workload and concurrency (default 2.5)
  --jobs=<n>            N for every measurement instead (no sizing)
  --slices=<n>          a measurement is cut into this many slices of N / slices jobs, alternating
                        with the other contenders' slices (default 5)
  --warmup-jobs=<n>     jobs per contender, workload and concurrency in the warm-up (default 2000)
  --retries=<n>         blocks redone when other processes took > ${REDO_ABOVE_PCT} % of a core (default 3)
  --wait-quiet=<s>      before starting, wait up to this long for the 1-minute load average to drop
                        below ${QUIET_LOAD} (default 60; --quick: 0); the run goes on anyway after
  --cpu-prof            run every contender under node --cpu-prof (profiles in .results/cpu-prof-queue-<date>/)
                        and print where each one spends its time; the numbers are then slower
  --render=<json>       only re-render the report from a saved run (.results/queue-*.json)
  --output=<file>       where to write the report (default RESULTS-queue.md for the full default run,
                        .results/RESULTS-queue.partial.md for a narrower one)

Uses REDIS_URL when it is set (queues named bench-* are made there and obliterated after each
measurement); otherwise it starts a throwaway Redis through @framework/test-services.
`;

function fail(message) {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {
    quick: false,
    only: null,
    workloads: null,
    extras: false,
    rounds: 6,
    seconds: 2.5,
    jobs: null,
    warmupJobs: 2000,
    slices: 5,
    retries: 3,
    waitQuiet: 60,
    cpuProf: false,
    output: null,
    render: null,
  };
  for (const arg of argv) {
    const [key, value] = arg.split('=');
    if (key === '--help' || key === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (key === '--quick')
      Object.assign(options, { quick: true, rounds: 1, seconds: 1, slices: 2, warmupJobs: 600, waitQuiet: 0 });
    else if (key === '--only') options.only = value.split(',').map((s) => s.trim());
    else if (key === '--extras') options.extras = true;
    else if (key === '--workloads') options.workloads = value.split(',').map((s) => s.trim());
    else if (key === '--rounds') options.rounds = Number(value);
    else if (key === '--seconds') options.seconds = Number(value);
    else if (key === '--jobs') options.jobs = Number(value);
    else if (key === '--warmup-jobs') options.warmupJobs = Number(value);
    else if (key === '--slices') options.slices = Number(value);
    else if (key === '--retries') options.retries = Number(value);
    else if (key === '--wait-quiet') options.waitQuiet = Number(value);
    else if (key === '--cpu-prof') options.cpuProf = true;
    else if (key === '--output') options.output = value;
    else if (key === '--render') options.render = value;
    else fail(`unknown option ${arg}`);
  }
  const cellIds = WORKLOADS.flatMap((w) => CONCURRENCIES.map((c) => `${w.id}-c${c}`));
  const unknownCells = options.workloads?.filter((id) => !cellIds.includes(id)) ?? [];
  if (unknownCells.length > 0) fail(`unknown workload(s): ${unknownCells.join(', ')}`);
  const unknown = options.only?.filter((n) => !CONTENDERS.some((c) => c.name === n)) ?? [];
  if (unknown.length > 0) fail(`unknown contender(s): ${unknown.join(', ')}`);
  if (!(options.rounds >= 1 && Number.isInteger(options.rounds))) fail('--rounds must be an integer >= 1');
  if (!(options.seconds >= 0.1)) fail('--seconds must be >= 0.1');
  if (options.jobs !== null && !(Number.isInteger(options.jobs) && options.jobs >= 10)) fail('--jobs must be >= 10');
  if (!(Number.isInteger(options.warmupJobs) && options.warmupJobs >= 10)) fail('--warmup-jobs must be >= 10');
  if (!(Number.isInteger(options.slices) && options.slices >= 1)) fail('--slices must be an integer >= 1');
  if (!(options.retries >= 0)) fail('--retries must be >= 0');
  if (!(options.waitQuiet >= 0)) fail('--wait-quiet must be >= 0');
  const narrower =
    !options.render &&
    (options.quick ||
      options.only ||
      options.workloads ||
      options.extras ||
      options.cpuProf ||
      options.jobs !== null ||
      options.rounds < 6 ||
      options.slices < 5 ||
      options.seconds < 2.5);
  options.output ??= options.quick
    ? '.results/RESULTS-queue.quick.md'
    : narrower
      ? '.results/RESULTS-queue.partial.md'
      : 'RESULTS-queue.md';
  return options;
}

function packageVersions() {
  const out = {};
  for (const name of PACKAGES) {
    try {
      out[name] = JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

/** The files of packages/queue that differ from the commit (what the run measured is the working tree). */
function queueChanges() {
  const status = spawnSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'packages/queue/src'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (status.status !== 0) return null;
  return status.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
}

function writeReport(output, markdown) {
  mkdirSync(join(output, '..'), { recursive: true });
  writeFileSync(output, markdown);
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', output], { stdio: 'ignore', timeout: 30_000 });
}

/** Why a contender's answers to the check are wrong, or null when they are right. */
function differences(contender, answers) {
  const out = [];
  const want = Array.from({ length: 20 }, (_, i) => i);
  if (answers.completions !== 20) out.push(`${answers.completions} completions for 20 jobs`);
  if (JSON.stringify(answers.seen) !== JSON.stringify(want))
    out.push(`completed data ${JSON.stringify(answers.seen).slice(0, 80)}, expected n = 0…19 once each`);
  if (answers.ids !== 20) out.push(`${answers.ids} distinct ids for 20 jobs`);
  if (answers.counts?.completed !== 20 || answers.counts?.failed)
    out.push(`Redis counts ${JSON.stringify(answers.counts)}, expected 20 completed`);
  for (const job of answers.stored) {
    if (!job) {
      out.push('a job could not be read back');
      continue;
    }
    if (JSON.stringify(job.returnvalue) !== JSON.stringify(RESULT))
      out.push(`result ${JSON.stringify(job.returnvalue)}`);
    if (job.attempts !== 3) out.push(`attempts ${job.attempts}, expected 3`);
    if (!job.backoff?.type) out.push('no backoff');
    if (job.removeOnComplete?.count !== 1000) out.push(`removeOnComplete ${JSON.stringify(job.removeOnComplete)}`);
  }
  if (contender.ours && answers.rejectsInvalid === false) out.push('accepted { n: "not a number" }');
  return out.length > 0 ? [...new Set(out)].join('; ') : null;
}

async function waitForQuiet(seconds, log) {
  const deadline = Date.now() + seconds * 1000;
  const waits = [];
  for (;;) {
    const load = loadavg()[0];
    if (load < QUIET_LOAD) return { load, waitedSeconds: waits.length ? (Date.now() - waits[0]) / 1000 : 0 };
    if (Date.now() >= deadline) {
      log(`! the load average is still ${load.toFixed(2)} (≥ ${QUIET_LOAD}); running anyway.`);
      return { load, waitedSeconds: waits.length ? (Date.now() - waits[0]) / 1000 : 0, busy: true };
    }
    if (waits.length === 0) waits.push(Date.now());
    log(`  the machine is busy (load average ${load.toFixed(2)} ≥ ${QUIET_LOAD}); waiting 30 s ...`);
    await sleep(Math.min(30_000, Math.max(1000, deadline - Date.now())));
  }
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  if (options.render) {
    const output = join(BENCH_DIR, options.output);
    writeReport(output, renderQueueResults(JSON.parse(readFileSync(options.render, 'utf8'))));
    process.stdout.write(`Wrote ${relative(process.cwd(), output) || output} from ${options.render}\n`);
    return;
  }
  installCleanup();
  const log = (message) => process.stdout.write(`${message}\n`);
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw Object.assign(
      new Error(`the queue benchmark runs our TypeScript source and needs Node >= 22; this is ${process.version}.`),
      { expected: true },
    );
  }
  const wanted = CONTENDERS.filter((c) =>
    options.only ? options.only.includes(c.name) : !c.extra || (options.extras && !c.onlyWhenNamed),
  );
  const cells = WORKLOADS.flatMap((workload) =>
    CONCURRENCIES.map((concurrency) => ({ id: `${workload.id}-c${concurrency}`, workload, concurrency })),
  ).filter((cell) => !options.workloads || options.workloads.includes(cell.id));
  const estimate =
    8 +
    wanted.length * cells.length * (options.warmupJobs / 1000 + SETUP_SECONDS) +
    options.rounds * wanted.length * cells.length * (options.seconds + SETUP_SECONDS);
  log(
    `Plan: ${wanted.length} contender(s) (${wanted.map((c) => c.name).join(', ')}) × ${cells.length} workloads ` +
      `(${cells.map((c) => c.id).join(', ')}); warm-up, then ${options.rounds} interleaved round(s) of measurements ` +
      `of about ${options.seconds} s; about ${Math.round(estimate)} s.`,
  );

  const quiet = await waitForQuiet(options.waitQuiet, log);
  const loadBefore = loadavg();
  log(`Load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(', ')}`);
  const startedMeasuring = Date.now();

  const pin = hasTaskset() && cpus().length >= 2;
  if (!pin) log('! taskset is missing or there is only one core: nothing will be pinned.');
  // The harness (and so the Redis it starts, which inherits the affinity) on core 1; contenders on core 0.
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

  const cpuProfDir = options.cpuProf
    ? join(BENCH_DIR, '.results', `cpu-prof-queue-${new Date(started).toISOString().replace(/[:.]/g, '-')}`)
    : null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  let services = null;
  const cleanup = async () => {
    const running = services;
    services = null;
    await running?.stop();
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    void cleanup();
  };
  const goOn = () => {
    if (interrupted)
      throw Object.assign(new Error('interrupted: every process started is being stopped'), { expected: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // However it goes, the run stops by itself.
  const watchdogSeconds = Math.round(estimate * 2 + 60);
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nerror: the run took more than ${watchdogSeconds} s; stopping everything.\n`);
    void cleanup().finally(() => stopAll().finally(() => process.exit(1)));
  }, watchdogSeconds * 1000);
  watchdog.unref();

  const workers = [];
  try {
    let redisUrl = process.env.REDIS_URL;
    let redisPid = null;
    let redisOurs = false;
    if (!redisUrl) {
      log('Starting a throwaway Redis (@framework/test-services) ...');
      services = await startServices({ redis: true, log: (m) => log(`  ${m}`) });
      redisUrl = services.env.REDIS_URL;
      redisPid = services.services.redis?.pid ?? null;
      redisOurs = true;
    } else log('Using the Redis of REDIS_URL (queues bench-* are made there and obliterated after each measurement).');
    const { Redis } = await import('ioredis');
    const probe = new Redis(redisUrl, { lazyConnect: true });
    probe.on('error', () => {});
    await probe.connect();
    const info = await probe.info('server');
    const redisVersion = /\r\nredis_version:([^\r]+)\r\n/.exec(info)?.[1] ?? 'unknown';
    const redisConfig = {};
    for (const key of ['appendonly', 'save', 'maxmemory-policy']) {
      redisConfig[key] = (await probe.config('GET', key).catch(() => []))[1] ?? 'unknown';
    }
    probe.disconnect();
    log(`Redis ${redisVersion} at ${redisUrl}${redisPid ? ` (pid ${redisPid})` : ''}`);

    // --- Contenders: load, check ---------------------------------------------------------------------
    const rows = [];
    for (const contender of wanted) {
      goOn();
      const { open, ...described } = contender;
      const row = { ...described, available: false, reason: null, warmup: {}, rounds: {}, summary: {} };
      rows.push(row);
      const worker = await startWorker(contender.name, { redisUrl, redisPid, pin, cpu: 0, cpuProfDir });
      if (worker.ready.type !== 'ready') {
        row.reason = `not available: ${worker.ready.reason}`;
        log(`  ${contender.name}: ${row.reason}`);
        await worker.close();
        continue;
      }
      workers.push(worker);
      const checked = await worker.request({ type: 'check' }, 60_000);
      const wrong = checked.type === 'checked' ? differences(contender, checked.answers) : null;
      if (checked.type !== 'checked') row.reason = `not available: its first jobs failed: ${checked.reason}`;
      else if (wrong) row.reason = `answers differently: ${wrong}`;
      if (row.reason) {
        log(`  ${contender.name}: ${row.reason}`);
        await worker.close();
        continue;
      }
      row.check = checked.answers;
      row.available = true;
      row.worker = worker;
      log(`  ${contender.name}: ready (pid ${worker.child.pid}), 20 jobs checked`);
    }
    const live = rows.filter((r) => r.available);
    if (live.length === 0) throw Object.assign(new Error('no contender could run'), { expected: true });

    const ask = async (row, message, expected, timeoutMs = 180_000) => {
      goOn();
      const reply = await row.worker.request(message, timeoutMs);
      goOn();
      if (reply.type !== expected) throw new Error(`${row.name} ${message.type}: ${reply.reason}`);
      return reply.result;
    };

    /**
     * One measurement of every contender of `order` on `cell`: a session (fresh queue, primer job)
     * per contender, then `slices` slices of n / slices jobs each, the contenders' slices
     * alternating (A B, B A, ...) so that the machine's drift lands on all of them alike; then the
     * sessions are closed. Resolves to each row's sums: jobs/s = jobs ÷ timed time.
     */
    const measure = async (order, cell, n, slices) => {
      for (const row of order) {
        await ask(
          row,
          { type: 'open', workload: cell.workload.id, concurrency: cell.concurrency, chunk: cell.workload.chunk },
          'opened',
        );
      }
      const per = Math.max(1, Math.round(n / slices));
      const sums = new Map(order.map((row) => [row, { n: 0, ms: 0, addMs: 0, cpuUs: 0, redisTicks: 0, slices: [] }]));
      for (let s = 0; s < slices; s++) {
        for (const row of s % 2 ? [...order].reverse() : order) {
          const result = await ask(row, { type: 'slice', n: per }, 'sliced');
          const sum = sums.get(row);
          sum.n += result.n;
          sum.ms += result.ms;
          sum.addMs += result.addMs;
          sum.cpuUs += result.cpuUs;
          sum.redisTicks =
            sum.redisTicks === null || result.redisTicks === null ? null : sum.redisTicks + result.redisTicks;
          sum.slices.push(Math.round((result.n / result.ms) * 1000));
        }
      }
      for (const row of order) await ask(row, { type: 'close-session' }, 'session-closed', 60_000);
      const results = new Map();
      for (const [row, sum] of sums) {
        results.set(row, {
          n: sum.n,
          ms: sum.ms,
          addMs: sum.addMs,
          jobsPerSec: (sum.n / sum.ms) * 1000,
          cpuUsPerJob: sum.cpuUs / sum.n,
          redisUsPerJob: sum.redisTicks === null ? null : (sum.redisTicks * 10_000) / sum.n,
          sliceJobsPerSec: sum.slices,
        });
      }
      return results;
    };

    // --- Warm-up, and N for each workload ------------------------------------------------------------
    log(
      `Warm-up: ${options.warmupJobs} jobs per contender and workload, in ${WARMUP_SLICES} slices${pin ? '; contenders on core 0, Redis and the harness on core 1' : ''}.`,
    );
    const jobs = {};
    for (const cell of cells) {
      const results = await measure(live, cell, options.warmupJobs, WARMUP_SLICES);
      const rates = [];
      for (const row of live) {
        const result = results.get(row);
        row.warmup[cell.id] = result;
        // The rate of the warmer half sizes N.
        rates.push(median(result.sliceJobsPerSec.slice(WARMUP_SLICES / 2)));
      }
      jobs[cell.id] = options.jobs ?? Math.max(100, Math.round((Math.max(...rates) * options.seconds) / 100) * 100);
      log(
        `  ${cell.id}: ${live.map((r, i) => `${r.name} ${Math.round(rates[i])}`).join(', ')} jobs/s → N = ${jobs[cell.id]}`,
      );
    }

    // --- Rounds ----------------------------------------------------------------------------------------
    let redosLeft = options.retries;
    const interference = [];
    const block = async (order, cell) => {
      const ticks = () =>
        order.reduce((sum, row) => sum + (row.worker.ticks() ?? 0), redisPid ? (processTicks(redisPid) ?? 0) : 0);
      const window = taskWindow(pin ? [0, 1] : [0]);
      const before = ticks();
      const results = await measure(order, cell, jobs[cell.id], options.slices);
      const foreignPct = redisOurs ? (window.end(ticks() - before)?.foreignPct ?? null) : null;
      return { results, foreignPct };
    };
    const measureBlock = async (order, cell) => {
      let best = null;
      for (let attempt = 0; ; attempt++) {
        const measured = await block(order, cell);
        if (!best || (measured.foreignPct ?? 0) < (best.foreignPct ?? 0)) best = measured;
        if (measured.foreignPct === null || measured.foreignPct <= REDO_ABOVE_PCT) break;
        if (redosLeft <= 0 || attempt >= 1) break;
        redosLeft--;
        log(`    (${cell.id}: others took ${measured.foreignPct.toFixed(0)} % of a core; measuring the block again)`);
      }
      if (best.foreignPct !== null) interference.push(best.foreignPct);
      return best;
    };
    log(`Measuring: ${options.rounds} round(s), in each every workload with every contender in turn.`);
    for (let round = 1; round <= options.rounds; round++) {
      const parts = [];
      for (const cell of cells) {
        const order = round % 2 ? live : [...live].reverse();
        const { results, foreignPct } = await measureBlock(order, cell);
        for (const row of order) {
          row.rounds[cell.id] = [...(row.rounds[cell.id] ?? []), { round, ...results.get(row), foreignPct }];
        }
        parts.push(
          `${cell.id} ${live.map((r) => `${r.name} ${Math.round(r.rounds[cell.id].at(-1).jobsPerSec)}`).join(', ')}`,
        );
      }
      log(`  round ${round}/${options.rounds} (jobs/s): ${parts.join(' | ')}`);
    }

    for (const row of live) {
      row.rssKb = row.worker.rssKb();
      for (const cell of cells) {
        const runs = row.rounds[cell.id];
        const rates = runs.map((r) => r.jobsPerSec);
        const pick = (key) => {
          const values = runs.map((r) => r[key]).filter((v) => v !== null && v !== undefined);
          return values.length ? median(values) : null;
        };
        row.summary[cell.id] = {
          jobsPerSec: median(rates),
          min: Math.min(...rates),
          max: Math.max(...rates),
          n: jobs[cell.id],
          ms: pick('ms'),
          addMs: pick('addMs'),
          cpuUsPerJob: pick('cpuUsPerJob'),
          redisUsPerJob: pick('redisUsPerJob'),
        };
      }
      row.logs = row.worker
        .stderr()
        .trim()
        .split('\n')
        .filter(Boolean)
        .slice(-5)
        .map((l) => l.slice(0, 300));
    }
    for (const row of live) await row.worker.close();

    const elapsed = (Date.now() - started) / 1000;
    const data = {
      date: new Date(started).toISOString(),
      elapsedSeconds: elapsed,
      measuringSeconds: (Date.now() - startedMeasuring) / 1000,
      options,
      pinned: pin,
      machine: machineInfo(),
      node: process.version,
      redis: { version: redisVersion, ours: redisOurs, config: redisConfig },
      packages: packageVersions(),
      git: gitInfo(),
      queueChanges: queueChanges(),
      loadBefore,
      quiet,
      interference: interference.length
        ? {
            median: median(interference),
            max: Math.max(...interference),
            above10: interference.filter((p) => p > 10).length,
            redos: options.retries - redosLeft,
            measurements: interference.length,
          }
        : null,
      cells: cells.map((c) => ({
        id: c.id,
        workload: c.workload.id,
        workloadLabel: c.workload.label,
        concurrency: c.concurrency,
        jobs: jobs[c.id],
      })),
      rows: rows.map(({ worker, ...row }) => row),
    };
    const resultsDir = join(BENCH_DIR, '.results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonFile = join(resultsDir, `queue-${data.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(data, null, 2)}\n`);
    const output = join(BENCH_DIR, options.output);
    const markdown = renderQueueResults(data);
    writeReport(output, markdown);
    const targets = markdown.indexOf('## Targets');
    log(`\n${markdown.slice(targets, markdown.indexOf('\n## ', targets + 5)).trim()}\n`);
    if (cpuProfDir) {
      log(summarizeProfiles(cpuProfDir));
      if (live.some((row) => row.name === 'ours') && live.some((row) => row.name === 'raw'))
        log(`\n${compareProfiles(cpuProfDir, 'ours', 'raw')}`);
    }
    log(`Wrote ${relative(process.cwd(), output) || output} and ${relative(process.cwd(), jsonFile)}`);
    log(`Total time: ${Math.round(elapsed)} s (measuring ${Math.round(data.measuringSeconds)} s)`);
  } finally {
    for (const worker of workers) await worker.close();
    await cleanup();
    clearTimeout(watchdog);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const left = liveProcesses();
    if (left.length > 0) {
      log(`! still running, stopping now: ${left.join(', ')}`);
      await stopAll();
    }
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(error?.expected ? `error: ${error.message}\n` : `\nfatal: ${error?.stack ?? error}\n`);
  await stopAll();
  process.exit(1);
}
