#!/usr/bin/env node
// The database benchmark: select by primary key, a filtered join, a bulk insert of
// 1 000 rows — ours against raw postgres.js, plain drizzle-orm, TypeORM and Sequelize, on the same
// PostgreSQL in one run. Writes RESULTS-db.md.
//
//   node src/db/run.mjs               the full run (about 2 minutes)
//   node src/db/run.mjs --quick       smoke test (about 30 s)
//   node src/db/run.mjs --help
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { startServices } from '@framework/test-services';
import postgres from 'postgres';
import { cpuWindow } from '../lib/cpu.mjs';
import { BENCH_DIR, gitInfo, machineInfo, REPO_ROOT } from '../lib/env.mjs';
import { installCleanup, liveProcesses, stopAll } from '../lib/proc.mjs';
import { hasTaskset } from '../lib/wrk.mjs';
import { renderDbResults } from './report.mjs';
import { CHECK_USER_IDS, createSchema, expectedAnswers } from './schema.mjs';
import { serverTicks, startWorker } from './workers.mjs';

/** In measuring order: the compared ones next to each other (ours beside drizzle). */
export const CONTENDERS = [
  { name: 'ours', label: '@framework/db (model API)', ours: true },
  { name: 'drizzle', label: 'plain drizzle-orm on postgres.js' },
  { name: 'raw', label: 'raw postgres.js, tagged templates' },
  { name: 'typeorm', label: 'TypeORM, EntitySchema, pg' },
  { name: 'sequelize', label: 'Sequelize, define, pg' },
];

export const WORKLOADS = [
  { id: 'find', label: 'select by primary key', spec: { ours: 0.8, typeorm: 2.1, sequelize: 3.5 } },
  { id: 'join', label: 'join + filter (50 rows)', spec: { ours: 3.2, typeorm: 8.5, sequelize: 12 } },
  { id: 'insert', label: 'bulk insert (1 000 rows)', spec: { ours: 45, typeorm: 125, sequelize: 180 } },
];

const PACKAGES = ['@framework/db', 'drizzle-orm', 'postgres', 'typeorm', 'sequelize', 'pg'];
const REDO_ABOVE_PCT = 25;

const HELP = `usage: node src/db/run.mjs [options]

  --quick             smoke test: 1 round, 0.3 s measurements, 0.3 s warm-up; writes .results/RESULTS-db.quick.md
  --only=<names>      contenders, comma-separated: ${CONTENDERS.map((c) => c.name).join(', ')}
  --rounds=<n>        interleaved rounds (default 5)
  --duration=<s>      seconds of timed operations per measurement (default 1)
  --warmup=<s>        seconds of warm-up per contender and workload (default 1)
  --retries=<n>       measurements redone when other processes took > ${REDO_ABOVE_PCT} % of a core (default 6)
  --render=<json>     only re-render the report from a saved run (.results/db-*.json)
  --output=<file>     where to write the report (default RESULTS-db.md for the full default run,
                      .results/RESULTS-db.partial.md for a narrower one)

Uses DATABASE_URL when it is set (the run creates and drops a database of its own there);
otherwise starts a throwaway PostgreSQL through @framework/test-services.
`;

function parseArgs(argv) {
  const options = {
    quick: false,
    only: null,
    rounds: 5,
    duration: 1,
    warmup: 1,
    retries: 6,
    output: null,
    render: null,
  };
  for (const arg of argv) {
    const [key, value] = arg.split('=');
    if (key === '--help' || key === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (key === '--quick') Object.assign(options, { quick: true, rounds: 1, duration: 0.3, warmup: 0.3 });
    else if (key === '--only') options.only = value.split(',').map((s) => s.trim());
    else if (key === '--rounds') options.rounds = Number(value);
    else if (key === '--duration') options.duration = Number(value);
    else if (key === '--warmup') options.warmup = Number(value);
    else if (key === '--retries') options.retries = Number(value);
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
  const narrower = !options.render && (options.quick || options.only || options.rounds < 5 || options.duration < 1);
  options.output ??= options.quick
    ? '.results/RESULTS-db.quick.md'
    : narrower
      ? '.results/RESULTS-db.partial.md'
      : 'RESULTS-db.md';
  return options;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

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

function writeReport(output, markdown) {
  mkdirSync(join(output, '..'), { recursive: true });
  writeFileSync(output, markdown);
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', output], { stdio: 'ignore', timeout: 30_000 });
}

/** Plain values in a fixed key order, so that answers compare by content. */
const pickUser = (u) => (u === null || u === undefined ? u : { id: u.id, email: u.email, name: u.name, age: u.age });
const pickPost = (p) => ({ id: p.id, title: p.title, authorName: p.authorName });

/** Why a contender's answers differ from the SQL ground truth, or null when they agree. */
function differences(answers, expected) {
  const out = [];
  for (const id of CHECK_USER_IDS) {
    const got = JSON.stringify(pickUser(answers.users[id]));
    const want = JSON.stringify(expected.users[id]);
    if (got !== want) out.push(`user ${id}: got ${got}, expected ${want}`);
  }
  const join = Array.isArray(answers.join) ? answers.join.map(pickPost) : null;
  if (!join) out.push('the join did not return an array');
  else if (join.length !== expected.join.length)
    out.push(`join: ${join.length} rows, expected ${expected.join.length}`);
  else {
    const i = join.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(expected.join[k]));
    if (i >= 0) out.push(`join row ${i}: got ${JSON.stringify(join[i])}, expected ${JSON.stringify(expected.join[i])}`);
  }
  const { insert } = answers;
  if (insert.count !== insert.expected || !insert.same) {
    out.push(
      `bulk insert: ${insert.count} rows in the table (${insert.expected} expected, same content: ${insert.same})`,
    );
  }
  return out.length > 0 ? out.join('; ') : null;
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  if (options.render) {
    const output = join(BENCH_DIR, options.output);
    writeReport(output, renderDbResults(JSON.parse(readFileSync(options.render, 'utf8'))));
    process.stdout.write(`Wrote ${relative(process.cwd(), output) || output} from ${options.render}\n`);
    return;
  }
  installCleanup();
  const log = (message) => process.stdout.write(`${message}\n`);
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw Object.assign(
      new Error(`the db benchmark runs our TypeScript source and needs Node >= 22; this is ${process.version}.`),
      { expected: true },
    );
  }
  const pin = hasTaskset() && (await import('node:os')).cpus().length >= 2;
  if (!pin) log('! taskset is missing or there is only one core: nothing will be pinned.');
  // The harness (and so the PostgreSQL it starts, which inherits the affinity) on core 1; contenders on core 0.
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const loadBefore = loadavg();

  // --- Database ----------------------------------------------------------------------------------
  let services = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    log('Starting a throwaway PostgreSQL (@framework/test-services) ...');
    services = await startServices({ postgres: true, log: (m) => log(`  ${m}`) });
    serverUrl = services.env.DATABASE_URL;
  } else log('Using the PostgreSQL server of DATABASE_URL (a database of our own is created there and dropped).');
  const postmasterPid = services?.services.postgres?.pid ?? null;
  const dbName = `framework_bench_db_${process.pid}_${Date.now().toString(36)}`;
  const dbUrl = (() => {
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    return url.href;
  })();
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  let sql = null;
  let dropped = false;
  const cleanup = async () => {
    if (dropped) return;
    dropped = true;
    await sql?.end({ timeout: 2 }).catch(() => {});
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
    await admin.end({ timeout: 2 }).catch(() => {});
    await services?.stop();
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    void cleanup();
  };
  /** Stops the run at the next step once Ctrl-C or SIGTERM came (the processes are being stopped already). */
  const goOn = () => {
    if (interrupted)
      throw Object.assign(new Error('interrupted: every process started is being stopped'), { expected: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const workers = [];
  try {
    await admin.unsafe(`create database "${dbName}"`);
    sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const [{ server_version: serverVersion }] = await sql`show server_version`;
    log(`PostgreSQL ${serverVersion}; seeding ...`);
    const seedStart = Date.now();
    await createSchema(sql);
    const expected = await expectedAnswers(sql, CHECK_USER_IDS);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    log(`  seeded in ${seedSeconds.toFixed(1)} s`);

    // --- Contenders --------------------------------------------------------------------------------
    const rows = [];
    for (const contender of CONTENDERS) {
      if (options.only && !options.only.includes(contender.name)) continue;
      const row = { ...contender, available: false, reason: null, rounds: {}, summary: {} };
      rows.push(row);
      goOn();
      const worker = await startWorker(contender.name, dbUrl, { pin, cpu: 0 });
      if (worker.ready.type !== 'ready') {
        row.reason = `not available: ${worker.ready.reason}`;
        log(`  ${contender.name}: ${row.reason}`);
        await worker.close();
        continue;
      }
      const checked = await worker.request({ type: 'check' }, 60_000);
      const wrong = checked.type === 'checked' ? differences(checked.answers, expected) : null;
      if (checked.type !== 'checked') row.reason = `not available: its first calls failed: ${checked.reason}`;
      else if (wrong) row.reason = `answers differently: ${wrong}`;
      if (row.reason) {
        log(`  ${contender.name}: ${row.reason}`);
        await worker.close();
        continue;
      }
      row.available = true;
      row.worker = worker;
      workers.push(worker);
      log(`  ${contender.name}: ready (pid ${worker.child.pid}), answers checked`);
    }
    const live = rows.filter((r) => r.available);
    const perMeasurement = Math.max(options.duration, 0.1) + 0.15;
    const estimate =
      live.length * WORKLOADS.length * (options.warmup + 0.15) +
      options.rounds * live.length * WORKLOADS.length * perMeasurement;
    log(
      `\nMeasuring ${live.length} contender(s) × ${WORKLOADS.length} workloads: warm-up ${options.warmup} s each, then ` +
        `${options.rounds} interleaved round(s) of ${options.duration} s measurements (≈ ${Math.round(estimate)} s)` +
        `${pin ? '; contenders on core 0, PostgreSQL and the harness on core 1' : ''}.`,
    );

    /** One measurement, redone (up to the budget) when something else took the machine meanwhile. */
    let redosLeft = options.retries;
    const interference = [];
    const measure = async (row, workload, seconds, seed, { redo = true } = {}) => {
      let best = null;
      for (let attempt = 0; ; attempt++) {
        goOn();
        const window = cpuWindow(pin ? [0, 1] : [0]);
        const before = { worker: row.worker.ticks(), server: serverTicks(postmasterPid) };
        const reply = await row.worker.request({ type: 'measure', workload, seconds, seed }, seconds * 4000 + 20_000);
        goOn();
        if (reply.type !== 'measured') throw new Error(`${row.name} ${workload}: ${reply.reason}`);
        const after = { worker: row.worker.ticks(), server: serverTicks(postmasterPid) };
        const known =
          (after.worker ?? 0) - (before.worker ?? 0) + (postmasterPid ? (after.server ?? 0) - (before.server ?? 0) : 0);
        const foreign = postmasterPid ? window.end(known) : null;
        const result = { ...reply.result, foreignPct: foreign?.foreignPct ?? null };
        if (!best || (result.foreignPct ?? 0) < (best.foreignPct ?? 0)) best = result;
        if (!redo || result.foreignPct === null || result.foreignPct <= REDO_ABOVE_PCT) break;
        if (redosLeft <= 0 || attempt >= 1) break;
        redosLeft--;
        log(`    (${row.name} ${workload}: others took ${result.foreignPct.toFixed(0)} % of a core; measuring again)`);
      }
      return best;
    };

    const measureStart = Date.now();
    for (const row of live) {
      for (const workload of WORKLOADS) await measure(row, workload.id, options.warmup, 999, { redo: false });
      log(`  warmed up ${row.name}`);
    }
    for (let round = 1; round <= options.rounds; round++) {
      for (const [w, workload] of WORKLOADS.entries()) {
        const order = round % 2 ? live : [...live].reverse();
        for (const row of order) {
          const result = await measure(row, workload.id, options.duration, round * 100 + w);
          row.rounds[workload.id] = [...(row.rounds[workload.id] ?? []), { round, ...result }];
          if (result.foreignPct !== null) interference.push(result.foreignPct);
        }
      }
      const line = WORKLOADS.map(
        (w) => `${w.id} ${live.map((r) => `${r.name} ${Math.round(r.rounds[w.id].at(-1).opsPerSec)}`).join(', ')}`,
      ).join(' | ');
      log(`  round ${round}/${options.rounds} (ops/s): ${line}`);
    }
    const measureSeconds = (Date.now() - measureStart) / 1000;
    for (const row of live) {
      row.rssKb = row.worker.rssKb();
      for (const workload of WORKLOADS) {
        const runs = row.rounds[workload.id];
        const ops = runs.map((r) => r.opsPerSec);
        row.summary[workload.id] = {
          opsPerSec: median(ops),
          min: Math.min(...ops),
          max: Math.max(...ops),
          meanMs: median(runs.map((r) => r.meanMs)),
          p50Ms: median(runs.map((r) => r.p50Ms)),
          p99Ms: median(runs.map((r) => r.p99Ms)),
          ops: runs.reduce((sum, r) => sum + r.ops, 0),
        };
      }
    }
    for (const worker of workers) await worker.close();

    const elapsed = (Date.now() - started) / 1000;
    const data = {
      date: new Date(started).toISOString(),
      elapsedSeconds: elapsed,
      seedSeconds,
      measureSeconds,
      options,
      pinned: pin,
      machine: machineInfo(),
      node: process.version,
      postgres: { version: serverVersion, ours: services !== null },
      packages: packageVersions(),
      git: gitInfo(),
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
      workloads: WORKLOADS,
      rows: rows.map(({ worker, ...row }) => row),
    };
    const resultsDir = join(BENCH_DIR, '.results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonFile = join(resultsDir, `db-${data.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(data, null, 2)}\n`);
    const output = join(BENCH_DIR, options.output);
    const markdown = renderDbResults(data);
    writeReport(output, markdown);
    log(`\n${markdown.slice(markdown.indexOf('## Targets'), markdown.indexOf('## Operations per second')).trim()}\n`);
    log(`Wrote ${relative(process.cwd(), output) || output} and ${relative(process.cwd(), jsonFile)}`);
    log(`Total time: ${Math.round(elapsed)} s`);
  } finally {
    for (const worker of workers) await worker.close();
    await cleanup();
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
