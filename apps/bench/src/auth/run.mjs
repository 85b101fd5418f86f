#!/usr/bin/env node
// The auth benchmark: GET /me protected by a JWT and by a session on Redis, ours against the same
// route without auth (plus the cost of one `jose` verify, measured alone) and against Fastify with
// @fastify/jwt and @fastify/session, under wrk, side by side on this machine; writes RESULTS-auth.md.
//
//   node src/auth/run.mjs            the full run (about 4 minutes), writes RESULTS-auth.md
//   node src/auth/run.mjs --quick    smoke test (about 40 s), writes .results/RESULTS-auth.quick.md
//   node src/auth/run.mjs --help
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { startServices } from '@framework/test-services';
import { cpuWindow, processTicks } from '../lib/cpu.mjs';
import { BENCH_DIR, gitInfo, machineInfo, REPO_ROOT } from '../lib/env.mjs';
import { installCleanup, liveProcesses, sleep, spawnTracked, stopAll, tail, waitExit } from '../lib/proc.mjs';
import { startServer, Unavailable } from '../lib/servers.mjs';
import { ensureWrk, expected, hasTaskset, runWrk } from '../lib/wrk.mjs';
import { checkServer, mintCredentials, SERVERS, sessionSizes } from './contenders.mjs';
import { PACKAGES, renderAuthResults } from './report.mjs';

const RETRY_ABOVE_PCT = 25;
const VERIFY = 'jose-verify';
const QUIET_LOAD = 1.5;

const HELP = `usage: node src/auth/run.mjs [options]

  --quick             smoke test: 1 round, 1 s measurements, 1 s warm-up; writes .results/RESULTS-auth.quick.md
  --only=<names>      servers, comma-separated: ${SERVERS.map((s) => s.name).join(', ')}
  --rounds=<n>        interleaved rounds (default 7)
  --duration=<s>      seconds per wrk measurement (default 3)
  --warmup=<s>        seconds of warm-up per server (default 3)
  --connections=<n>   wrk connections (default 50)
  --retries=<n>       measurements redone when other processes took > ${RETRY_ABOVE_PCT} % of a core (default 6)
  --wait-quiet=<s>    wait up to this long for the 1-minute load average to drop below ${QUIET_LOAD} before starting (default 60)
  --render=<json>     only rewrite the report from a saved run (.results/auth-*.json)

Uses REDIS_URL when it is set (sessions are written there under auth:* and fsess:*); otherwise it
starts a throwaway Redis through @framework/test-services and stops it at the end.
`;

function parseArgs(argv) {
  const options = {
    quick: false,
    only: null,
    rounds: 7,
    duration: 3,
    warmup: 3,
    connections: 50,
    retries: 6,
    waitQuiet: 60,
  };
  let narrowed = false;
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (key === 'quick') options.quick = true;
    else if (key === 'render') options.render = value;
    else if (key === 'only') {
      options.only = value.split(',').filter(Boolean);
      narrowed = true;
      const unknown = options.only.filter((name) => !SERVERS.some((s) => s.name === name));
      if (unknown.length > 0) {
        process.stderr.write(`--only: unknown server(s) ${unknown.join(', ')}\n\n${HELP}`);
        process.exit(2);
      }
    } else if (key === 'wait-quiet') {
      options.waitQuiet = Number(value);
      if (!(options.waitQuiet >= 0)) {
        process.stderr.write(`--wait-quiet must be a number of seconds, got ${value}\n`);
        process.exit(2);
      }
    } else if (['rounds', 'duration', 'warmup', 'connections', 'retries'].includes(key)) {
      options[key] = Number(value);
      narrowed = true;
      if (!Number.isInteger(options[key]) || options[key] < (key === 'warmup' || key === 'retries' ? 0 : 1)) {
        process.stderr.write(`--${key} must be a positive integer, got ${value}\n`);
        process.exit(2);
      }
    } else {
      process.stderr.write(`unknown option ${arg}\n\n${HELP}`);
      process.exit(2);
    }
  }
  if (options.quick) {
    const explicit = (name) => argv.some((a) => a.startsWith(`--${name}=`));
    if (!explicit('rounds')) options.rounds = 1;
    if (!explicit('duration')) options.duration = 1;
    if (!explicit('warmup')) options.warmup = 1;
    if (!explicit('retries')) options.retries = 1;
    if (!explicit('wait-quiet')) options.waitQuiet = 0;
  }
  options.output = options.quick
    ? join('.results', 'RESULTS-auth.quick.md')
    : narrowed
      ? join('.results', 'RESULTS-auth.partial.md')
      : 'RESULTS-auth.md';
  return options;
}

function writeReport(output, markdown) {
  mkdirSync(join(output, '..'), { recursive: true });
  writeFileSync(output, markdown);
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', output], { stdio: 'ignore', timeout: 30_000 });
}

function versions() {
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

/** Seconds the run should take (printed first; the watchdog allows twice as much). */
function plan(options, servers) {
  const verify = 1.2 + 3 * 1 + 0.7; // start, warm-ups 0.7 s, 3 × 1 s timed, exit
  const perMeasurement = options.duration + 0.35;
  return (
    6 +
    servers * (options.warmup + 0.2) +
    options.rounds * (servers * perMeasurement + verify) +
    options.retries * perMeasurement
  );
}

/** One jose verify measurement in a process of its own, pinned to the servers' core. */
async function measureVerify(token, pin) {
  const script = join(BENCH_DIR, 'src', 'auth', 'verify-cost.mjs');
  const args = [script, token, '--seconds=1'];
  const child = spawnTracked(
    VERIFY,
    pin ? 'taskset' : process.execPath,
    pin ? ['-c', '0', process.execPath, ...args] : args,
  );
  const out = tail(child.stdout);
  const err = tail(child.stderr);
  if (!(await waitExit(child, 30_000))) {
    process.kill(child.pid, 'SIGKILL');
    throw new Error('the jose verify measurement did not finish within 30 s');
  }
  const line = out().trim().split('\n').pop();
  if (child.exitCode !== 0 || !line?.startsWith('{'))
    throw new Error(`the jose verify measurement failed: ${err().slice(-400)}`);
  return JSON.parse(line);
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  if (options.render) {
    const data = JSON.parse(readFileSync(options.render, 'utf8'));
    const output = join(BENCH_DIR, 'RESULTS-auth.md');
    writeReport(output, renderAuthResults(data));
    process.stdout.write(`Wrote ${relative(process.cwd(), output)} from ${options.render}\n`);
    return;
  }
  installCleanup();
  const log = (message) => process.stdout.write(`${message}\n`);
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw expected(`src/auth/run.mjs needs Node >= 22 (it runs our TypeScript source); this is ${process.version}.`);
  }
  const wrk = ensureWrk(log);
  const pin = hasTaskset() && cpus().length >= 2;
  if (!pin) log('! taskset is missing or there is only one core: servers and wrk will NOT be pinned.');
  // The harness, wrk and Redis (started below, it inherits this) on core 1; the servers on core 0.
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  // Other users' test runs skew every number: wait (bounded) for a quieter machine first.
  const waitStart = Date.now();
  if (loadavg()[0] >= QUIET_LOAD && options.waitQuiet > 0) {
    log(
      `Load average ${loadavg()[0].toFixed(2)}: waiting up to ${options.waitQuiet} s for it to drop below ${QUIET_LOAD} ...`,
    );
    while (loadavg()[0] >= QUIET_LOAD && Date.now() - waitStart < options.waitQuiet * 1000) await sleep(2000);
  }
  const waitedSeconds = (Date.now() - waitStart) / 1000;
  const loadBefore = loadavg()[0];
  if (loadBefore >= QUIET_LOAD)
    log(`! load average still ${loadBefore.toFixed(2)}: the machine is busy, results will be noisy.`);
  const idle = cpuWindow([0, 1]);
  await sleep(1000);
  const preflight = idle.end(0);
  if (preflight && preflight.foreignPct > 20)
    log(`! other processes are using ${preflight.foreignPct.toFixed(0)} % of a core right now; results will be noisy.`);

  const targets = SERVERS.filter((s) => !options.only || options.only.includes(s.name));
  const estimate = plan(options, targets.length);
  log(
    `Plan: ${targets.length} servers × ${options.rounds} round(s), wrk -t1 -c${options.connections} -d${options.duration}s ` +
      `on GET /me, ${options.warmup} s warm-up each, a jose verify measurement per round` +
      `${pin ? '; servers on core 0, wrk, Redis and the harness on core 1' : ''}. Planned ≈ ${Math.round(estimate)} s.`,
  );

  // --- Redis, and the run's bounds ---------------------------------------------------------------
  let services = null;
  const cleanup = async () => {
    const running = services;
    services = null;
    await running?.stop();
  };
  const watchdogSeconds = Math.round(estimate * 2 + 60);
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nerror: the run took more than ${watchdogSeconds} s; stopping everything.\n`);
    void cleanup().finally(() => stopAll().finally(() => process.exit(1)));
  }, watchdogSeconds * 1000);
  watchdog.unref();
  const onSignal = () => void cleanup();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const running = new Map();
  try {
    let redisUrl = process.env.REDIS_URL ?? null;
    let redisPid = null;
    let redisVersion = null;
    if (targets.some((t) => t.redis)) {
      if (!redisUrl) {
        log('Starting a throwaway Redis (@framework/test-services) ...');
        services = await startServices({ redis: true, log: (m) => log(`  ${m}`) });
        redisUrl = services.env.REDIS_URL;
        redisPid = services.services.redis?.pid ?? null;
      } else log('Using the Redis of REDIS_URL.');
      const { Redis } = await import('ioredis');
      const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      probe.on('error', () => {});
      await probe.connect();
      redisVersion = /\r\nredis_version:([^\r]+)\r\n/.exec(await probe.info('server'))?.[1] ?? 'unknown';
      probe.disconnect();
    }

    // --- Servers: started together, checked, then left idle until their turn ---------------------
    const rows = [];
    await Promise.all(
      targets.map(async (target) => {
        const row = { ...target, available: false, runs: [], anomalies: [] };
        rows.push(row);
        try {
          const env = { ...target.env, ...(target.redis ? { REDIS_URL: redisUrl } : {}) };
          const server = await startServer(
            { name: target.name, file: target.file, nodeBin: process.execPath, nodeMajor: 24, env },
            { pin, cpu: 0 },
          );
          running.set(target.name, server);
          row.available = true;
          row.idleKb = server.idleRssKb;
        } catch (error) {
          if (!(error instanceof Unavailable)) throw error;
          row.reason = error.message;
        }
      }),
    );
    const rank = (row) => SERVERS.findIndex((s) => s.name === row.name);
    rows.sort((a, b) => rank(a) - rank(b));
    const urls = Object.fromEntries([...running].map(([name, server]) => [name, server.url]));
    const credentials = await mintCredentials(urls);
    if (urls['fastify-jwt'] && !credentials.jwt) {
      throw expected('the JWT that fastify-jwt verifies is minted by ours-jwt: add ours-jwt to --only.');
    }
    for (const row of rows) {
      if (!row.available) {
        log(`  ${row.name.padEnd(24)} not available: ${row.reason}`);
        continue;
      }
      const server = running.get(row.name);
      const problems = await checkServer(row, server.url, credentials[row.credential]);
      if (problems.length > 0) {
        row.available = false;
        row.reason = `answers differ from the spec: ${problems.join('; ')}`;
        await server.stop();
        running.delete(row.name);
      }
      log(
        row.available
          ? `  ${row.name.padEnd(24)} ready on ${server.url} (pid ${server.pid}), idle RSS ${(row.idleKb / 1024).toFixed(1)} MiB`
          : `  ${row.name.padEnd(24)} not available: ${row.reason}`,
      );
    }
    const headersOf = (row) => {
      const credential = credentials[row.credential];
      return credential ? { [credential.header]: credential.value } : {};
    };

    // --- Warm-up -----------------------------------------------------------------------------------
    const live = rows.filter((row) => row.available);
    if (options.warmup > 0) {
      log(`\nWarm-up: ${options.warmup} s per server`);
      for (const row of live) {
        const server = running.get(row.name);
        await runWrk({
          url: `${server.url}/me`,
          seconds: options.warmup,
          connections: options.connections,
          headers: headersOf(row),
          pin,
          cpu: 1,
        });
        await sleep(100);
      }
    }

    // --- Interleaved rounds --------------------------------------------------------------------------
    // Every server in turn, the compared ones next to each other, direction alternating; the jose
    // verify measurement next to ours-noauth and ours-jwt, whose ceiling it makes.
    const verifyRuns = [];
    let retriesLeft = options.retries;
    const order = [{ name: VERIFY }, ...live];
    for (let round = 1; round <= options.rounds; round++) {
      log(`\nRound ${round}/${options.rounds}`);
      const cells = [];
      for (const row of round % 2 === 1 ? order : [...order].reverse()) {
        if (row.name === VERIFY) {
          if (!credentials.jwt) continue;
          const v = await measureVerify(credentials.jwt.token, pin);
          verifyRuns.push({ round, ...v });
          cells.push(`verify ${v.cpuUs.toFixed(1)} µs CPU (${v.sequentialUs.toFixed(1)} µs wall)`);
          continue;
        }
        const server = running.get(row.name);
        if (!server.alive()) {
          row.anomalies.push(`crashed in round ${round}: ${server.stderr().trim().split('\n').slice(-2).join(' | ')}`);
          continue;
        }
        const measureOnce = async () => {
          const window = cpuWindow([0, 1]);
          const serverTicks = processTicks(server.pid);
          const redisTicks = redisPid ? processTicks(redisPid) : null;
          const report = await runWrk({
            url: `${server.url}/me`,
            seconds: options.duration,
            connections: options.connections,
            headers: headersOf(row),
            pin,
            cpu: 1,
          });
          const serverUsed = (processTicks(server.pid) ?? serverTicks) - serverTicks;
          const redisUsed = redisTicks === null ? 0 : (processTicks(redisPid) ?? redisTicks) - redisTicks;
          const interference =
            report.cpuTicks === undefined ? null : window.end(serverUsed + redisUsed + report.cpuTicks);
          return {
            round,
            rps: report.rps,
            requests: report.requests,
            p50: report.latencyMs.p50,
            p99: report.latencyMs.p99,
            non2xx: report.non2xx,
            socketErrors: report.socketErrors,
            // Ticks are 1/100 s, so ticks per second are a percentage of one core.
            serverCpuPct: serverUsed / options.duration,
            redisCpuPct: redisTicks === null ? null : redisUsed / options.duration,
            // CPU time per request (a tick is 10 000 µs): what a request costs the server, and Redis.
            serverUsPerRequest: report.requests ? (serverUsed * 10_000) / report.requests : null,
            redisUsPerRequest: redisTicks === null || !report.requests ? null : (redisUsed * 10_000) / report.requests,
            foreignPct: interference?.foreignPct ?? null,
          };
        };
        let m = await measureOnce();
        if (m.foreignPct !== null && m.foreignPct > RETRY_ABOVE_PCT && retriesLeft > 0) {
          retriesLeft--;
          await sleep(250);
          const again = await measureOnce();
          const [kept, dropped] = again.foreignPct < m.foreignPct ? [again, m] : [m, again];
          m = { ...kept, retried: true, discarded: { rps: dropped.rps, foreignPct: dropped.foreignPct } };
        }
        row.runs.push(m);
        const errors = Object.values(m.socketErrors).reduce((a, b) => a + b, 0);
        if (m.non2xx > 0 || errors > 0) {
          // What the server said about it (its log lines, when it writes any).
          const said = `${server.stdout?.() ?? ''}\n${server.stderr()}`
            .split('\n')
            .filter((line) => /error|warn|status|5\d\d|4\d\d/i.test(line))
            .slice(-2)
            .map((line) => line.slice(0, 300));
          row.anomalies.push(
            `round ${round}: ${m.non2xx} non-2xx responses, socket errors ${JSON.stringify(m.socketErrors)}` +
              (said.length ? `; the server's last log lines: ${said.join(' | ')}` : ''),
          );
        }
        const busy = m.foreignPct > 10 ? ` [others ${m.foreignPct.toFixed(0)} %]` : '';
        cells.push(`${row.name} ${Math.round(m.rps).toLocaleString('en-US')}${m.retried ? ' (redone)' : ''}${busy}`);
        await sleep(50);
      }
      log(`  ${cells.join(' · ')}`);
    }

    const redisData = redisUrl ? await sessionSizes(redisUrl).catch((error) => ({ error: error.message })) : null;
    await Promise.all([...running.values()].map((server) => server.stop()));
    running.clear();
    await cleanup();

    // --- Report ----------------------------------------------------------------------------------------
    const data = {
      date: new Date(started).toISOString(),
      elapsedSeconds: (Date.now() - started) / 1000,
      plannedSeconds: estimate,
      options,
      pinned: pin,
      preflight,
      loadBefore,
      waitedSeconds,
      machine: machineInfo(),
      node: process.version,
      wrk: wrk.version,
      redis: redisUrl ? { version: redisVersion, ours: redisPid !== null } : null,
      packages: versions(),
      git: gitInfo(),
      tokenBytes: credentials.jwt?.token.length ?? null,
      rows: rows.map(({ file, ...row }) => row),
      verifyRuns,
      redisData,
    };
    const resultsDir = join(BENCH_DIR, '.results');
    mkdirSync(resultsDir, { recursive: true });
    const jsonFile = join(resultsDir, `auth-${data.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(data, null, 2)}\n`);
    const output = join(BENCH_DIR, options.output);
    const markdown = renderAuthResults(data);
    writeReport(output, markdown);
    log(`\n${markdown.slice(markdown.indexOf('## Targets'), markdown.indexOf('## Throughput')).trim()}\n`);
    log(`Wrote ${relative(process.cwd(), output)} and ${relative(process.cwd(), jsonFile)}`);
    log(`Total time: ${Math.round(data.elapsedSeconds)} s (planned ≈ ${Math.round(estimate)} s)`);
  } finally {
    clearTimeout(watchdog);
    await Promise.all([...running.values()].map((server) => server.stop()));
    await cleanup();
    const left = liveProcesses();
    if (left.length > 0) log(`! still running, stopping now: ${left.join(', ')}`);
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(error?.expected ? `error: ${error.message}\n` : `\nfatal: ${error?.stack ?? error}\n`);
  await stopAll();
  process.exit(1);
}
