#!/usr/bin/env node
// The cache benchmark: (1) the Redis hit path of `@framework/cache` (`get`, `wrap`) against a raw
// ioredis GET + JSON.parse, sequential and with 50 operations in flight; (2) the memory store
// against lru-cache: get hits, overwrites, 90/10 mixed. Writes RESULTS-cache.md.
//
//   node src/cache/run.mjs               the full run (about 2 minutes)
//   node src/cache/run.mjs --quick       smoke test (about 25 s)
//   node src/cache/run.mjs --help
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { startServices } from '@framework/test-services';
import { processTicks } from '../lib/cpu.mjs';
import { BENCH_DIR, gitInfo, machineInfo, REPO_ROOT } from '../lib/env.mjs';
import { median } from '../lib/markdown.mjs';
import { installCleanup, liveProcesses, stopAll } from '../lib/proc.mjs';
import { taskWindow } from '../lib/task-window.mjs';
import { hasTaskset } from '../lib/wrk.mjs';
import { CONTENDERS, MEMORY_WORKLOADS, REDIS_WORKLOADS } from './contenders.mjs';
import { CACHE_KEY, KEY_COUNT, RAW_KEY, REDIS_VALUE } from './data.mjs';
import { summarizeProfiles } from './profile.mjs';
import { renderCacheResults } from './report.mjs';
import { startWorker } from './workers.mjs';

const PACKAGES = ['@framework/cache', 'ioredis', 'lru-cache'];
const REDO_ABOVE_PCT = 25;
/** A measurement is cut into slices of about this long, interleaved with the other contenders' slices. */
const SLICE_SECONDS = 0.1;
const PARTS = ['redis', 'memory'];

const HELP = `usage: node src/cache/run.mjs [options]

  --quick               smoke test: 1 round, 0.2 s measurements, 0.2 s warm-up; writes .results/RESULTS-cache.quick.md
  --only=<names>        contenders, comma-separated: ${CONTENDERS.map((c) => c.name).join(', ')}
  --part=<redis|memory> one part only
  --rounds=<n>          interleaved rounds (default 5)
  --duration=<s>        seconds per Redis measurement (default 1)
  --memory-duration=<s> seconds per memory-store measurement (default 0.5)
  --warmup=<s>          seconds of warm-up per contender and workload (default 0.5)
  --retries=<n>         blocks redone when other processes took > ${REDO_ABOVE_PCT} % of a core (default 3)
  --cpu-prof            run every contender under node --cpu-prof (profiles in .results/cpu-prof-<date>/)
                        and print where each one spends its time; the numbers are then slower
  --render=<json>       only re-render the report from a saved run (.results/cache-*.json)
  --output=<file>       where to write the report (default RESULTS-cache.md for the full default run,
                        .results/RESULTS-cache.partial.md for a narrower one)

Part 1 uses REDIS_URL when it is set (two keys, ${RAW_KEY} and cache:${CACHE_KEY}, are written
there and deleted at the end); otherwise it starts a throwaway Redis through @framework/test-services.
`;

function parseArgs(argv) {
  const options = {
    quick: false,
    only: null,
    part: null,
    rounds: 5,
    duration: 1,
    memoryDuration: 0.5,
    warmup: 0.5,
    retries: 3,
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
      Object.assign(options, { quick: true, rounds: 1, duration: 0.2, memoryDuration: 0.2, warmup: 0.2 });
    else if (key === '--only') options.only = value.split(',').map((s) => s.trim());
    else if (key === '--part') options.part = value;
    else if (key === '--rounds') options.rounds = Number(value);
    else if (key === '--duration') options.duration = Number(value);
    else if (key === '--memory-duration') options.memoryDuration = Number(value);
    else if (key === '--warmup') options.warmup = Number(value);
    else if (key === '--retries') options.retries = Number(value);
    else if (key === '--cpu-prof') options.cpuProf = true;
    else if (key === '--output') options.output = value;
    else if (key === '--render') options.render = value;
    else {
      process.stderr.write(`unknown option ${arg}\n\n${HELP}`);
      process.exit(2);
    }
  }
  const unknown = options.only?.filter((n) => !CONTENDERS.some((c) => c.name === n)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`unknown contender(s): ${unknown.join(', ')}\n\n${HELP}`);
    process.exit(2);
  }
  if (options.part !== null && !PARTS.includes(options.part)) {
    process.stderr.write(`--part is redis or memory, got ${options.part}\n\n${HELP}`);
    process.exit(2);
  }
  for (const key of ['rounds', 'duration', 'memoryDuration', 'retries']) {
    if (!(options[key] >= (key === 'retries' ? 0 : key === 'rounds' ? 1 : 0.05))) {
      process.stderr.write(`--${key} must be a positive number, got ${options[key]}\n`);
      process.exit(2);
    }
  }
  const narrower =
    !options.render &&
    (options.quick ||
      options.only ||
      options.part ||
      options.cpuProf ||
      options.rounds < 5 ||
      options.duration < 1 ||
      options.memoryDuration < 0.5);
  options.output ??= options.quick
    ? '.results/RESULTS-cache.quick.md'
    : narrower
      ? '.results/RESULTS-cache.partial.md'
      : 'RESULTS-cache.md';
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

/** The files of packages/cache that differ from the commit (what the run measured is the working tree). */
function cacheChanges() {
  const status = spawnSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'packages/cache/src'], {
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

/** Why a contender's answers are wrong, or null when they are right. */
function differences(contender, answers) {
  if (contender.part === 'redis') {
    const want = JSON.stringify(REDIS_VALUE);
    const out = [];
    if (answers.value !== want) out.push(`read ${answers.value?.slice(0, 80)}…, expected ${want.slice(0, 80)}…`);
    if (!answers.batchSame) out.push('50 concurrent reads did not all return the value');
    if (answers.stats?.loaderCalls) out.push(`the wrap loader ran ${answers.stats.loaderCalls} time(s) on a hit`);
    return out.length > 0 ? out.join('; ') : null;
  }
  const out = [];
  if (answers.hits !== KEY_COUNT) out.push(`${answers.hits} of ${KEY_COUNT} pre-filled keys hit`);
  if (answers.same !== KEY_COUNT) out.push(`${answers.same} of ${KEY_COUNT} reads returned the object stored`);
  if (!answers.overwritten) out.push('an overwrite did not read back');
  return out.length > 0 ? out.join('; ') : null;
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  if (options.render) {
    const output = join(BENCH_DIR, options.output);
    writeReport(output, renderCacheResults(JSON.parse(readFileSync(options.render, 'utf8'))));
    process.stdout.write(`Wrote ${relative(process.cwd(), output) || output} from ${options.render}\n`);
    return;
  }
  installCleanup();
  const log = (message) => process.stdout.write(`${message}\n`);
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw Object.assign(
      new Error(`the cache benchmark runs our TypeScript source and needs Node >= 22; this is ${process.version}.`),
      { expected: true },
    );
  }
  const pin = hasTaskset() && cpus().length >= 2;
  if (!pin) log('! taskset is missing or there is only one core: nothing will be pinned.');
  // The harness (and so the Redis it starts, which inherits the affinity) on core 1; contenders on core 0.
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const loadBefore = loadavg();

  const wanted = CONTENDERS.filter(
    (c) => (!options.only || options.only.includes(c.name)) && (!options.part || c.part === options.part),
  );
  const parts = PARTS.filter((p) => wanted.some((c) => c.part === p)).map((id) => ({
    id,
    workloads: id === 'redis' ? REDIS_WORKLOADS : MEMORY_WORKLOADS,
    duration: id === 'redis' ? options.duration : options.memoryDuration,
    warmup: options.warmup,
    contenders: wanted.filter((c) => c.part === id),
  }));
  const estimate = parts.reduce(
    (sum, p) =>
      sum + p.contenders.length * p.workloads.length * (p.warmup + options.rounds * p.duration + 0.1 * options.rounds),
    5 + parts.reduce((n, p) => n + p.contenders.length, 0) * 0.6,
  );
  log(
    `Plan: ${parts.map((p) => `${p.id} part: ${p.contenders.length} contender(s) × ${p.workloads.length} workloads`).join('; ')}; ` +
      `${options.rounds} round(s); about ${Math.round(estimate)} s.`,
  );
  const cpuProfDir = options.cpuProf
    ? join(BENCH_DIR, '.results', `cpu-prof-${new Date(started).toISOString().replace(/[:.]/g, '-')}`)
    : null;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });

  // --- Redis -------------------------------------------------------------------------------------
  let services = null;
  let redisUrl = null;
  let redisVersion = null;
  let seeded = null;
  const cleanup = async () => {
    const client = seeded;
    seeded = null;
    if (client) {
      await client.del(RAW_KEY, `cache:${CACHE_KEY}`).catch(() => {});
      client.disconnect();
    }
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
    let redisOurs = false;
    let redisPid = null;
    if (parts.some((p) => p.id === 'redis')) {
      redisUrl = process.env.REDIS_URL;
      if (!redisUrl) {
        log('Starting a throwaway Redis (@framework/test-services) ...');
        services = await startServices({ redis: true, log: (m) => log(`  ${m}`) });
        redisUrl = services.env.REDIS_URL;
        redisOurs = true;
        redisPid = services.services.redis?.pid ?? null;
      } else log('Using the Redis of REDIS_URL (two keys are written there and deleted at the end).');
      const { Redis } = await import('ioredis');
      seeded = new Redis(redisUrl, { lazyConnect: true });
      seeded.on('error', () => {});
      await seeded.connect();
      redisVersion = /\r\nredis_version:([^\r]+)\r\n/.exec(await seeded.info('server'))?.[1] ?? 'unknown';
      await seeded.set(RAW_KEY, JSON.stringify(REDIS_VALUE));
      // Ours reads what ours wrote: the same JSON behind the cache's one-byte header.
      const { createCache } = await import('@framework/cache');
      const writer = createCache({ store: 'redis', redis: seeded, env: {} });
      await writer.set(CACHE_KEY, REDIS_VALUE, { ttl: 0 });
      await writer.close();
      const stored = await seeded.strlen(`cache:${CACHE_KEY}`);
      log(
        `Redis ${redisVersion} at ${redisUrl}: ${RAW_KEY} (${await seeded.strlen(RAW_KEY)} bytes), cache:${CACHE_KEY} (${stored} bytes)`,
      );
    }

    /** One slice of `row`'s measurement (`reset` on the first, `final` on the last). */
    const slice = async (row, workload, seconds, reset, final) => {
      goOn();
      const reply = await row.worker.request(
        { type: 'measure', workload, seconds, reset, final },
        seconds * 4000 + 20_000,
      );
      goOn();
      if (reply.type !== 'measured') throw new Error(`${row.name} ${workload}: ${reply.reason}`);
      return reply.result;
    };

    /**
     * One block: every contender of `order` measured on `workload` for `seconds`, in slices of about
     * SLICE_SECONDS interleaved with each other (order alternating slice by slice), so that the drift
     * of the machine lands on all of them alike. Resolves to each row's result, and the share of a
     * core that other processes took during the block: the busy time of the two cores minus what
     * the contenders, Redis (when it is ours) and the harness used.
     */
    const block = async (order, workload, seconds) => {
      const slices = Math.max(1, Math.round(seconds / SLICE_SECONDS));
      const redis = order[0].part === 'redis' ? redisPid : null;
      const foreignKnown = order[0].part === 'memory' || redisOurs;
      const ticks = () =>
        order.reduce((sum, row) => sum + (row.worker.ticks() ?? 0), redis ? (processTicks(redis) ?? 0) : 0);
      const window = taskWindow(pin ? [0, 1] : [0]);
      const before = ticks();
      const results = new Map();
      for (let s = 0; s < slices; s++) {
        for (const row of s % 2 ? [...order].reverse() : order) {
          const result = await slice(row, workload, seconds / slices, s === 0, s === slices - 1);
          if (s === slices - 1) results.set(row, result);
        }
      }
      const foreignPct = foreignKnown ? (window.end(ticks() - before)?.foreignPct ?? null) : null;
      return { results, foreignPct };
    };

    /** A block, redone once (up to the budget) when other processes took more than REDO_ABOVE_PCT of a core during it. */
    let redosLeft = options.retries;
    const interference = [];
    const measureBlock = async (order, workload, seconds) => {
      let best = null;
      for (let attempt = 0; ; attempt++) {
        const measured = await block(order, workload, seconds);
        if (!best || (measured.foreignPct ?? 0) < (best.foreignPct ?? 0)) best = measured;
        if (measured.foreignPct === null || measured.foreignPct <= REDO_ABOVE_PCT) break;
        if (redosLeft <= 0 || attempt >= 1) break;
        redosLeft--;
        log(`    (${workload}: others took ${measured.foreignPct.toFixed(0)} % of a core; measuring the block again)`);
      }
      if (best.foreignPct !== null) interference.push(best.foreignPct);
      return best;
    };

    const rows = [];
    const partTimes = {};
    for (const part of parts) {
      const partStart = Date.now();
      log(`\n== Part ${part.id === 'redis' ? '1: the Redis hit path' : '2: the memory store'} ==`);
      const partRows = [];
      for (const contender of part.contenders) {
        goOn();
        const { open, ...described } = contender;
        const row = { ...described, available: false, reason: null, rounds: {}, summary: {} };
        partRows.push(row);
        rows.push(row);
        const worker = await startWorker(contender.name, { redisUrl, pin, cpu: 0, cpuProfDir });
        if (worker.ready.type !== 'ready') {
          row.reason = `not available: ${worker.ready.reason}`;
          log(`  ${contender.name}: ${row.reason}`);
          await worker.close();
          continue;
        }
        workers.push(worker);
        const checked = await worker.request({ type: 'check' }, 30_000);
        const wrong = checked.type === 'checked' ? differences(contender, checked.answers) : null;
        if (checked.type !== 'checked') row.reason = `not available: its first calls failed: ${checked.reason}`;
        else if (wrong) row.reason = `answers differently: ${wrong}`;
        if (row.reason) {
          log(`  ${contender.name}: ${row.reason}`);
          await worker.close();
          continue;
        }
        row.check = checked.answers;
        row.available = true;
        row.worker = worker;
        log(`  ${contender.name}: ready (pid ${worker.child.pid}), answers checked`);
      }
      const live = partRows.filter((r) => r.available);
      log(
        `Measuring ${live.length} contender(s) × ${part.workloads.length} workloads: warm-up ${part.warmup} s each, then ` +
          `${options.rounds} interleaved round(s) of ${part.duration} s measurements` +
          `${pin ? `; contenders on core 0, ${part.id === 'redis' ? 'Redis and ' : ''}the harness on core 1` : ''}.`,
      );
      for (const row of live) {
        for (const workload of part.workloads) await slice(row, workload.id, part.warmup, true, true);
      }
      log(`  warmed up ${live.map((r) => r.name).join(', ')}`);
      for (let round = 1; round <= options.rounds; round++) {
        for (const workload of part.workloads) {
          const order = round % 2 ? live : [...live].reverse();
          const { results, foreignPct } = await measureBlock(order, workload.id, part.duration);
          for (const row of order) {
            row.rounds[workload.id] = [...(row.rounds[workload.id] ?? []), { round, ...results.get(row), foreignPct }];
          }
        }
        const line = part.workloads
          .map(
            (w) =>
              `${w.id} ${live.map((r) => `${r.name} ${Math.round(r.rounds[w.id].at(-1).opsPerSec).toLocaleString('en-US')}`).join(', ')}`,
          )
          .join(' | ');
        log(`  round ${round}/${options.rounds} (ops/s): ${line}`);
      }
      for (const row of live) {
        row.rssKb = row.worker.rssKb();
        for (const workload of part.workloads) {
          const runs = row.rounds[workload.id];
          const ops = runs.map((r) => r.opsPerSec);
          const pick = (key) => (runs[0][key] === undefined ? null : median(runs.map((r) => r[key])));
          row.summary[workload.id] = {
            opsPerSec: median(ops),
            min: Math.min(...ops),
            max: Math.max(...ops),
            usPerOp: pick('usPerOp'),
            p50Us: pick('p50Us'),
            p99Us: pick('p99Us'),
            batchP50Ms: pick('batchP50Ms'),
            batchP99Ms: pick('batchP99Ms'),
            nsPerOp: pick('nsPerOp'),
            ops: runs.reduce((sum, r) => sum + r.ops, 0),
            wrong: runs.reduce((sum, r) => sum + (r.wrong ?? r.misses ?? 0), 0),
          };
        }
        const last = row.rounds[part.workloads.at(-1).id].at(-1);
        row.after = last.stats ?? last.info ?? null;
        row.logs = row.worker
          .stderr()
          .trim()
          .split('\n')
          .filter(Boolean)
          .slice(-5)
          .map((l) => l.slice(0, 300));
      }
      for (const row of live) await row.worker.close();
      partTimes[part.id] = (Date.now() - partStart) / 1000;
    }

    const elapsed = (Date.now() - started) / 1000;
    const data = {
      date: new Date(started).toISOString(),
      elapsedSeconds: elapsed,
      partSeconds: partTimes,
      options,
      pinned: pin,
      machine: machineInfo(),
      node: process.version,
      redis: redisUrl ? { version: redisVersion, ours: redisOurs } : null,
      packages: packageVersions(),
      git: gitInfo(),
      cacheChanges: cacheChanges(),
      loadBefore,
      interference: interference.length
        ? {
            median: median(interference),
            max: Math.max(...interference),
            above10: interference.filter((p) => p > 10).length,
            redos: options.retries - redosLeft,
            measurements: interference.length,
          }
        : null,
      parts: parts.map((p) => ({ id: p.id, workloads: p.workloads, duration: p.duration, warmup: p.warmup })),
      rows: rows.map(({ worker, ...row }) => row),
    };
    const resultsDir = join(BENCH_DIR, '.results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonFile = join(resultsDir, `cache-${data.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(data, null, 2)}\n`);
    const output = join(BENCH_DIR, options.output);
    const markdown = renderCacheResults(data);
    writeReport(output, markdown);
    log(`\n${markdown.slice(markdown.indexOf('## Targets'), markdown.indexOf('## Part 1')).trim()}\n`);
    if (cpuProfDir) log(summarizeProfiles(cpuProfDir));
    log(`Wrote ${relative(process.cwd(), output) || output} and ${relative(process.cwd(), jsonFile)}`);
    log(`Total time: ${Math.round(elapsed)} s`);
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
