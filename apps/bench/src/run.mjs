#!/usr/bin/env node
// The benchmark suite: every framework's four routes under wrk, side by side on this machine, on
// Node 24 and Node 20; then the router micro-benchmark and the memory run; then RESULTS.md.
//
//   node src/run.mjs                  the full run (about 8½ minutes), writes RESULTS.md
//   node src/run.mjs --quick          smoke test: 1 round, 1 s per measurement, a subset
//   node src/run.mjs --only=ours-node,fastify@24 --skip-memory --skip-router
//   node src/run.mjs --help
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpuWindow, processTicks } from './lib/cpu.mjs';
import {
  BENCH_DIR,
  buildCoreForNode20,
  findNode20,
  gitInfo,
  machineInfo,
  packageVersions,
  REPO_ROOT,
} from './lib/env.mjs';
import { installCleanup, liveProcesses, rssKb, sleep, spawnTracked, stopAll, tail, waitExit } from './lib/proc.mjs';
import { renderResults } from './lib/report.mjs';
import { checkServer, FRAMEWORKS, ROUTES, startServer, Unavailable } from './lib/servers.mjs';
import { ensureWrk, expected, hasTaskset, runWrk } from './lib/wrk.mjs';
import { memoryTargets, runMemory } from './memory.mjs';
import { formatRouterTable } from './router-bench.mjs';

const RETRY_ABOVE_PCT = 25;

const HELP = `usage: node src/run.mjs [options]

  --quick               smoke test: 1 round, 1 s measurements, 1 s warm-up, a subset of servers,
                        10 s memory run, short router run; writes RESULTS.quick.md
  --only=<names>        servers to run, comma-separated: ${FRAMEWORKS.map((f) => f.name).join(', ')};
                        add @24 or @20 to pick one Node (e.g. fastify@20)
  --rounds=<n>          interleaved rounds (default 3)
  --duration=<s>        seconds per measurement (default 2)
  --warmup=<s>          seconds of warm-up per server, all four routes mixed (default 3)
  --connections=<n>     wrk connections (default 50)
  --retries=<n>         measurements redone when other processes took > ${RETRY_ABOVE_PCT} % of a core
                        during them (default 8; the less disturbed one is kept)
  --skip-memory         no memory run
  --memory-seconds=<s>  length of the memory run (default 60)
  --memory-rate=<n>     paced load of the memory run, req/s (default 2000)
  --skip-router         no router micro-benchmark
  --render=<json>       only re-render the report from a saved run (.results/run-*.json)
  --output=<file>       where to write the report (default RESULTS.md for the full default run,
                        RESULTS.partial.md for any narrower one, RESULTS.quick.md for --quick)
`;

function parseArgs(argv) {
  const options = {
    quick: false,
    only: null,
    rounds: 3,
    duration: 2,
    warmup: 3,
    connections: 50,
    retries: 8,
    skipMemory: false,
    memorySeconds: 60,
    memoryRate: 2000,
    skipRouter: false,
    output: null,
  };
  let narrowed = false;
  const numeric = {
    rounds: 'rounds',
    duration: 'duration',
    warmup: 'warmup',
    connections: 'connections',
    retries: 'retries',
  };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (key === 'quick') {
      options.quick = true;
    } else if (key === 'only') {
      options.only = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      narrowed = true;
    } else if (key in numeric) {
      options[numeric[key]] = Number(value);
      narrowed = true;
    } else if (key === 'skip-memory') {
      options.skipMemory = true;
      narrowed = true;
    } else if (key === 'memory-seconds') {
      options.memorySeconds = Number(value);
      narrowed = true;
    } else if (key === 'memory-rate') {
      options.memoryRate = Number(value);
      narrowed = true;
    } else if (key === 'skip-router') {
      options.skipRouter = true;
      narrowed = true;
    } else if (key === 'render') {
      options.render = value;
    } else if (key === 'output') {
      options.output = value;
    } else {
      process.stderr.write(`unknown option ${arg}\n\n${HELP}`);
      process.exit(2);
    }
  }
  for (const key of ['rounds', 'duration', 'warmup', 'connections', 'retries', 'memorySeconds', 'memoryRate']) {
    if (!Number.isInteger(options[key]) || options[key] < (key === 'warmup' || key === 'retries' ? 0 : 1)) {
      process.stderr.write(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer\n`);
      process.exit(2);
    }
  }
  if (options.quick) {
    const explicit = (name) => argv.some((a) => a.startsWith(`--${name}=`));
    if (!explicit('rounds')) options.rounds = 1;
    if (!explicit('duration')) options.duration = 1;
    if (!explicit('warmup')) options.warmup = 1;
    if (!explicit('memory-seconds')) options.memorySeconds = 10;
    if (!explicit('retries')) options.retries = 2;
    if (!options.only)
      options.only = ['ours-node@24', 'node-http@24', 'fastify@24', 'ours-node@20', 'ours-uws', 'uws', 'uws-headers'];
  }
  const known = new Set(FRAMEWORKS.map((f) => f.name));
  for (const name of options.only ?? []) {
    const [base, major] = name.split('@');
    if (!known.has(base) || (major !== undefined && major !== '24' && major !== '20')) {
      process.stderr.write(
        `--only: unknown server "${name}"; known: ${[...known].join(', ')} (optionally @24 or @20)\n`,
      );
      process.exit(2);
    }
  }
  options.output ??= options.quick ? 'RESULTS.quick.md' : narrowed ? 'RESULTS.partial.md' : 'RESULTS.md';
  return options;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function fmtDuration(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Wall-time plan, printed before starting (calibrated on this machine's runs). */
function plan(options, targets, routerOn, memoryTargetsCount) {
  const servers = targets.length;
  const startup = 4; // all servers start together, 1 s settle, checks, the compiled-JS idle sample
  const perWarmup = options.warmup + 0.15;
  const perMeasurement = options.duration + 0.2; // wrk start/stop, pause
  const routesMeasured = targets.reduce((sum, t) => sum + (t.routes?.length ?? ROUTES.length), 0);
  const measurements = options.rounds * routesMeasured + options.retries; // retries: worst case
  const throughput = startup + servers * perWarmup + measurements * perMeasurement;
  const memory = options.skipMemory ? 0 : 2 * memoryTargetsCount + 3 + options.memorySeconds + 2;
  const router = routerOn ? (options.quick ? 1 : 2) * 5 * 5 * ((options.quick ? 0.1 : 0.3) + 0.12) + 2 : 0;
  const build = 5;
  return { throughput, memory, router, build, total: throughput + memory + router + build + 2 };
}

async function runRouterBenchChild(nodeBin, quick, pin) {
  const script = join(BENCH_DIR, 'src', 'router-bench.mjs');
  const args = [script, '--json', ...(quick ? ['--quick'] : [])];
  const child = spawnTracked('router-bench', pin ? 'taskset' : nodeBin, pin ? ['-c', '0', nodeBin, ...args] : args);
  const out = tail(child.stdout, 200_000);
  const err = tail(child.stderr, 4000);
  const finished = await waitExit(child, 300_000);
  if (!finished) {
    process.kill(child.pid, 'SIGKILL');
    return { error: 'router benchmark did not finish within 300 s' };
  }
  const line = out().trim().split('\n').pop();
  if (child.exitCode !== 0 || !line?.startsWith('{')) return { error: `router benchmark failed: ${err().slice(-500)}` };
  return JSON.parse(line);
}

/** Writes the report, formatted by the repo's Biome when it is there (so that `pnpm lint` passes on it). */
function writeReport(output, markdown) {
  writeFileSync(output, markdown);
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', output], { stdio: 'ignore', timeout: 30_000 });
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  if (options.render) {
    const data = JSON.parse(readFileSync(options.render, 'utf8'));
    const output = join(BENCH_DIR, options.output === 'RESULTS.partial.md' ? 'RESULTS.md' : options.output);
    writeReport(output, renderResults(data));
    process.stdout.write(`Wrote ${relative(process.cwd(), output) || output} from ${options.render}\n`);
    return;
  }
  installCleanup();
  const log = (message) => process.stdout.write(`${message}\n`);

  // --- Environment -------------------------------------------------------------------------------
  const wrk = ensureWrk(log);
  const pin = hasTaskset() && (await import('node:os')).cpus().length >= 2;
  if (!pin) log('! taskset is missing or there is only one core: servers and wrk will NOT be pinned.');
  // The harness itself stays off the servers' core.
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  // How busy is the machine before we start? Another user's test run would skew every number.
  const idleWindow = cpuWindow([0, 1]);
  await sleep(1000);
  const preflight = idleWindow.end(0);
  if (preflight && preflight.foreignPct > 20) {
    log(
      `! other processes are using ${preflight.foreignPct.toFixed(0)} % of a core right now; ` +
        'results will be noisy (the interference is measured and reported).',
    );
  }
  const node24 = {
    bin: process.execPath,
    version: process.version,
    major: Number(process.versions.node.split('.')[0]),
  };
  if (node24.major < 22) {
    throw expected(
      `run.mjs needs Node >= 22 (it runs our TypeScript source through type stripping); this is ${process.version}. ` +
        'Run it through `pnpm bench`, or with the toolchain Node: .toolchain/node-v24.*/bin/node.',
    );
  }
  const node20 = findNode20();
  log(`Node ${node24.version} (${node24.bin}); Node 20: ${node20.version ?? `not available: ${node20.reason}`}`);
  log('Building @framework/core with tsc for Node 20 ...');
  const core = buildCoreForNode20();
  for (const warning of core.warnings ?? []) log(`! ${warning}`);
  if (core.reason) log(`! ${core.reason}`);

  // --- Targets -----------------------------------------------------------------------------------
  const wanted = (name, major) => !options.only || options.only.some((o) => o === name || o === `${name}@${major}`);
  const targets = [];
  for (const major of [24, 20]) {
    for (const framework of FRAMEWORKS) {
      if (framework.uws && major !== 20) continue;
      if (framework.nodeMajors && !framework.nodeMajors.includes(major)) continue;
      if (!wanted(framework.name, major)) continue;
      const node = major === 24 ? node24 : node20;
      const env = { ...framework.env, ...(major === 20 && framework.ours ? { FRAMEWORK_CORE_ENTRY: core.entry } : {}) };
      let reason;
      if (major === 20 && !node20.bin) reason = node20.reason;
      else if (major === 20 && framework.ours && !core.entry) reason = core.reason;
      targets.push({
        ...framework,
        key: `${framework.name}@${major}`,
        nodeMajor: major,
        nodeBin: node.bin,
        nodeVersion: node.version ?? null,
        env,
        reason,
      });
    }
  }
  const memTargets = options.skipMemory
    ? []
    : memoryTargets({
        node24,
        node20,
        node20Reason: node20.reason,
        coreEntry: core.entry,
        coreReason: core.reason,
      });
  const estimate = plan(options, targets, !options.skipRouter, memTargets.length);
  log(
    `\nPlan: ${targets.length} servers × ${ROUTES.length} routes × ${options.rounds} round(s), ` +
      `wrk -t1 -c${options.connections} -d${options.duration}s, ${options.warmup} s warm-up per server` +
      `${pin ? ', servers on core 0, wrk on core 1' : ''}, up to ${options.retries} disturbed measurement(s) redone.`,
  );
  log(
    `      throughput ≈ ${fmtDuration(estimate.throughput)}, memory ≈ ${fmtDuration(estimate.memory)}, ` +
      `router ≈ ${fmtDuration(estimate.router)}; planned total ≈ ${fmtDuration(estimate.total)}\n`,
  );

  // --- Start every server once; they stay up across the interleaved rounds ------------------------
  // Started together (each pinned to core 0): only start-up overlaps, never a measurement.
  const phases = {};
  let phaseStart = Date.now();
  const rows = [];
  const running = new Map();
  await Promise.all(
    targets.map(async (target) => {
      const row = {
        key: target.key,
        name: target.name,
        label: target.label,
        ours: Boolean(target.ours),
        nodeMajor: target.nodeMajor,
        nodeVersion: target.nodeVersion,
        available: false,
        routes: Object.fromEntries(ROUTES.map((r) => [r.id, []])),
        onlyRoutes: target.routes ?? null,
        loadKbMax: null,
        anomalies: [],
      };
      rows.push(row);
      if (target.reason) {
        row.reason = target.reason;
        return;
      }
      try {
        const server = await startServer(target, { pin, cpu: 0 });
        const problems = await checkServer(server.url);
        if (problems.length > 0) {
          await server.stop();
          row.reason = `answers differ from the spec: ${problems.join('; ')}`;
          return;
        }
        row.available = true;
        row.idleKb = server.idleRssKb;
        row.port = server.port;
        row.pid = server.pid;
        running.set(target.key, server);
      } catch (error) {
        if (!(error instanceof Unavailable)) throw error;
        row.reason = error.message;
      }
    }),
  );
  rows.sort((a, b) => targets.findIndex((t) => t.key === a.key) - targets.findIndex((t) => t.key === b.key));
  for (const row of rows) {
    log(
      row.available
        ? `  ${row.key.padEnd(16)} ready on :${row.port} (pid ${row.pid}), idle RSS ${(row.idleKb / 1024).toFixed(1)} MiB`
        : `  ${row.key.padEnd(16)} not available: ${row.reason}`,
    );
  }

  // Idle RSS of ours on Node 24 from the compiled JS as published (dist), next to the
  // type-stripped source that the throughput rows run: the difference is Node's TypeScript loader.
  let compiledIdle = null;
  if (core.entry && targets.some((t) => t.key === 'ours-node@24')) {
    try {
      const base = FRAMEWORKS.find((f) => f.name === 'ours-node');
      const server = await startServer(
        { ...base, nodeBin: node24.bin, nodeMajor: 24, env: { FRAMEWORK_CORE_ENTRY: core.entry } },
        { pin, cpu: 0 },
      );
      compiledIdle = { kb: server.idleRssKb, node: node24.version };
      await server.stop();
    } catch (error) {
      compiledIdle = { reason: error.message };
    }
  }

  // --- Warm-up -----------------------------------------------------------------------------------
  // Every server gets the same warm-up, all four routes mixed, before any measurement.
  const alive = (row) => {
    const server = running.get(row.key);
    if (!row.available || !server) return null;
    if (server.alive()) return server;
    row.available = false;
    row.reason = `crashed during the run: ${server.stderr().trim().split('\n').slice(-3).join(' | ')}`;
    log(`  ${row.key}: ${row.reason}`);
    return null;
  };
  if (options.warmup > 0 && running.size > 0) {
    log(`\nWarm-up: ${options.warmup} s per server`);
    for (const row of rows) {
      const server = alive(row);
      if (!server) continue;
      await runWrk({
        url: server.url,
        seconds: options.warmup,
        connections: options.connections,
        script: 'mix.lua',
        pin,
        cpu: 1,
      });
      await sleep(100);
    }
  }

  // --- Interleaved rounds ------------------------------------------------------------------------
  // Route by route, every server in turn, servers that are compared with each other measured next to
  // each other (raw node:http, ours, Fastify, ...; raw uWS, ours-uws): a ratio is then taken between
  // measurements seconds apart, and slow drift of the machine cancels out of it. The direction
  // alternates each round so that no server always goes first.
  const MEASURE_ORDER = [
    'node-http',
    'node-http-headers',
    'ours-node',
    'fastify',
    'hono',
    'express',
    'koa',
    'uws',
    'uws-headers',
    'ours-uws',
  ];
  const order = rows
    .filter((r) => r.available)
    .sort((a, b) => b.nodeMajor - a.nodeMajor || MEASURE_ORDER.indexOf(a.name) - MEASURE_ORDER.indexOf(b.name));
  let retriesLeft = options.retries;
  for (let round = 1; round <= options.rounds; round++) {
    log(`\nRound ${round}/${options.rounds}`);
    const sequence = round % 2 === 1 ? order : [...order].reverse();
    for (const route of ROUTES) {
      const cells = [];
      for (const row of sequence) {
        if (row.onlyRoutes && !row.onlyRoutes.includes(route.id)) continue;
        const server = alive(row);
        if (!server) continue;
        const measureOnce = async () => {
          let maxKb = 0;
          const window = cpuWindow([0, 1]);
          const serverTicks = processTicks(server.pid);
          const report = await runWrk({
            url: `${server.url}${route.path}`,
            seconds: options.duration,
            connections: options.connections,
            script: route.script,
            pin,
            cpu: 1,
            during: () => {
              const kb = rssKb(server.pid);
              if (kb !== null && kb > maxKb) maxKb = kb;
            },
          });
          const serverUsed = (processTicks(server.pid) ?? serverTicks) - serverTicks;
          const interference = report.cpuTicks === undefined ? null : window.end(serverUsed + report.cpuTicks);
          return {
            round,
            rps: report.rps,
            requests: report.requests,
            p50: report.latencyMs.p50,
            p99: report.latencyMs.p99,
            non2xx: report.non2xx,
            socketErrors: report.socketErrors,
            maxKb,
            foreignPct: interference?.foreignPct ?? null,
            stealPct: interference?.stealPct ?? null,
          };
        };
        let m = await measureOnce();
        // Another process took a large share of the CPU during the measurement: redo it once (from a
        // bounded budget) and keep the less disturbed of the two.
        if (m.foreignPct !== null && m.foreignPct > RETRY_ABOVE_PCT && retriesLeft > 0) {
          retriesLeft--;
          await sleep(250);
          const again = await measureOnce();
          const [kept, dropped] =
            again.foreignPct !== null && again.foreignPct < m.foreignPct ? [again, m] : [m, again];
          m = { ...kept, retried: true, discarded: { rps: dropped.rps, foreignPct: dropped.foreignPct } };
        }
        row.routes[route.id].push(m);
        const errors = Object.values(m.socketErrors).reduce((a, b) => a + b, 0);
        if (m.non2xx > 0 || errors > 0) {
          row.anomalies.push(
            `round ${round} ${route.id}: ${m.non2xx} non-2xx responses, socket errors ${JSON.stringify(m.socketErrors)}`,
          );
        }
        row.loadKbMax = Math.max(row.loadKbMax ?? 0, m.maxKb);
        const busy = m.foreignPct > 10 ? ` [others ${m.foreignPct.toFixed(0)} %]` : '';
        cells.push(`${row.key} ${Math.round(m.rps).toLocaleString('en-US')}${m.retried ? ' (redone)' : ''}${busy}`);
        await sleep(50);
      }
      log(`  ${route.id.padEnd(14)} ${cells.join(' · ')}`);
    }
  }

  // --- Stop the servers --------------------------------------------------------------------------
  await Promise.all([...running.values()].map((s) => s.stop()));
  running.clear();
  phases.throughput = (Date.now() - phaseStart) / 1000;

  // --- Router micro-benchmark --------------------------------------------------------------------
  let router = null;
  phaseStart = Date.now();
  if (!options.skipRouter) {
    log('\nRouter micro-benchmark (mitata) ...');
    router = await runRouterBenchChild(node24.bin, options.quick, pin);
    if (router.error) log(`! ${router.error}`);
    else log(formatRouterTable(router));
  }

  phases.router = (Date.now() - phaseStart) / 1000;

  // --- Memory run --------------------------------------------------------------------------------
  let memory = null;
  phaseStart = Date.now();
  if (!options.skipMemory) {
    log('\nMemory run ...');
    memory = {
      seconds: options.memorySeconds,
      rate: options.memoryRate,
      results: await runMemory({
        targets: memTargets,
        seconds: options.memorySeconds,
        rate: options.memoryRate,
        pin,
        log,
      }),
    };
    for (const r of memory.results) {
      log(
        r.available
          ? `  ${r.name}: start ${(r.startKb / 1024).toFixed(1)} MiB, end ${(r.endKb / 1024).toFixed(1)} MiB, ` +
              `max ${(r.maxKb / 1024).toFixed(1)} MiB, growth ${r.growthPct.toFixed(1)} % at ${Math.round(r.rate)} req/s`
          : `  ${r.name}: not available: ${r.reason}`,
      );
    }
  }

  phases.memory = (Date.now() - phaseStart) / 1000;

  // --- Report ------------------------------------------------------------------------------------
  for (const row of rows) {
    row.summary = {};
    for (const route of ROUTES) {
      const runs = row.routes[route.id];
      if (runs.length === 0) continue;
      const rps = runs.map((r) => r.rps);
      row.summary[route.id] = {
        rps: median(rps),
        min: Math.min(...rps),
        max: Math.max(...rps),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        rounds: runs.length,
      };
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  const data = {
    date: new Date(started).toISOString(),
    elapsedSeconds: elapsed,
    plannedSeconds: estimate.total,
    phases,
    options,
    pinned: pin,
    preflight,
    machine: machineInfo(),
    node: { 24: node24.version, 20: node20.version ?? null, node20Reason: node20.reason ?? null },
    wrk: wrk.version,
    packages: packageVersions(),
    git: gitInfo(),
    coreBuild: core.entry ? { warnings: core.warnings } : { reason: core.reason },
    routes: ROUTES,
    rows,
    compiledIdle,
    router,
    memory,
  };
  const resultsDir = join(BENCH_DIR, '.results');
  mkdirSync(resultsDir, { recursive: true });
  const jsonFile = join(resultsDir, `run-${data.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(data, null, 2)}\n`);
  const output = join(BENCH_DIR, options.output);
  const markdown = renderResults(data);
  writeReport(output, markdown);
  log(`\n${markdown.slice(markdown.indexOf('## Targets'), markdown.indexOf('## Throughput')).trim()}\n`);
  log(`Wrote ${relative(process.cwd(), output) || output} and ${relative(process.cwd(), jsonFile)}`);
  log(`Total time: ${fmtDuration(elapsed)} (planned ≈ ${fmtDuration(estimate.total)})`);
  const left = liveProcesses();
  if (left.length > 0) log(`! still running, stopping now: ${left.join(', ')}`);
}

try {
  await main();
} catch (error) {
  // Mistakes of the environment (no wrk, Node too old) are reported as a sentence, not a stack trace.
  process.stderr.write(error?.expected ? `error: ${error.message}\n` : `\nfatal: ${error?.stack ?? error}\n`);
  await stopAll();
  process.exit(1);
}
