#!/usr/bin/env node
// Memory run: our servers under a steady, paced load for 60 s, RSS sampled every second.
//
//   node src/memory.mjs [--seconds=60] [--rate=2000] [--no-uws]
//
// wrk2 is not available, so the load is wrk pacing itself: 10 keep-alive connections, each waiting
// (10 000 / rate) ms before its next request (src/lua/mix.lua's delay()), cycling through the four
// routes. That holds the rate near `rate` req/s whatever the server's speed, which is what a
// leak check needs. Targets run side by side (servers on core 0, loaders on core 1): the load is
// far below what either server can take, and it halves the wall time.
import { fileURLToPath } from 'node:url';
import { buildCoreForNode20, findNode20 } from './lib/env.mjs';
import { installCleanup, rssKb, sleep } from './lib/proc.mjs';
import { checkServer, FRAMEWORKS, startServer, Unavailable } from './lib/servers.mjs';
import { ensureWrk, hasTaskset, runWrk } from './lib/wrk.mjs';

export const MEMORY_CONNECTIONS = 10;

function leastSquaresSlope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.kb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mx) * (p.kb - my);
    den += (p.t - mx) ** 2;
  }
  return den === 0 ? 0 : num / den; // KiB per second
}

/**
 * targets: [{ name, file, nodeBin, nodeMajor, env }]. Returns one result per target, each either
 * { available: false, reason } or the samples and their summary.
 */
export async function runMemory({ targets, seconds = 60, warmup = 3, rate = 2000, pin = true, log = console.log }) {
  const pause = Math.max(1, Math.round((MEMORY_CONNECTIONS * 1000) / rate));
  const running = [];
  const results = [];
  try {
    for (const target of targets) {
      const result = { name: target.name, node: target.nodeVersion, available: false };
      results.push(result);
      if (target.reason) {
        result.reason = target.reason;
        continue;
      }
      try {
        const server = await startServer(target, { pin, cpu: 0 });
        const problems = await checkServer(server.url);
        if (problems.length > 0) {
          await server.stop();
          result.reason = `wrong answers: ${problems.join('; ')}`;
          continue;
        }
        result.available = true;
        result.idleKb = server.idleRssKb;
        running.push({ server, result });
      } catch (error) {
        if (!(error instanceof Unavailable)) throw error;
        result.reason = error.message;
      }
    }
    if (running.length === 0) return results;
    const load = (secs) =>
      Promise.all(
        running.map(({ server }) =>
          runWrk({
            url: server.url,
            seconds: secs,
            connections: MEMORY_CONNECTIONS,
            script: 'mix.lua',
            scriptArgs: [pause],
            pin,
            cpu: 1,
          }),
        ),
      );
    log(
      `  memory: ${running.map((r) => r.result.name).join(' + ')}: ${warmup} s warm-up, then ${seconds} s at ~${rate} req/s`,
    );
    await load(warmup);
    for (const { result } of running) result.samples = [];
    const t0 = Date.now();
    const sample = () => {
      const t = (Date.now() - t0) / 1000;
      for (const { server, result } of running) {
        const kb = rssKb(server.pid);
        if (kb !== null) result.samples.push({ t: Math.round(t * 10) / 10, kb });
      }
    };
    sample();
    const sampler = setInterval(sample, 1000);
    let reports;
    try {
      reports = await load(seconds);
    } finally {
      clearInterval(sampler);
    }
    sample();
    running.forEach(({ server, result }, i) => {
      const report = reports[i];
      const kbs = result.samples.map((s) => s.kb);
      result.alive = server.alive();
      result.requests = report.requests;
      result.rate = report.requests / report.seconds;
      result.non2xx = report.non2xx;
      result.socketErrors = report.socketErrors;
      result.p99Ms = report.latencyMs.p99;
      result.startKb = kbs[0];
      result.endKb = kbs.at(-1);
      result.maxKb = Math.max(...kbs);
      result.growthPct = ((result.endKb - result.startKb) / result.startKb) * 100;
      result.slopeMbPerMin = (leastSquaresSlope(result.samples) * 60) / 1024;
    });
  } finally {
    await Promise.all(running.map(({ server }) => server.stop()));
  }
  return results;
}

export function memoryTargets({ node24, node20, coreEntry, node20Reason, coreReason, includeUws = true }) {
  const byName = (name) => FRAMEWORKS.find((f) => f.name === name);
  const targets = [
    { ...byName('ours-node'), nodeBin: node24.bin, nodeMajor: 24, nodeVersion: node24.version, env: {} },
  ];
  if (includeUws) {
    const reason = node20Reason ?? coreReason;
    targets.push({
      ...byName('ours-uws'),
      nodeBin: node20?.bin,
      nodeMajor: 20,
      nodeVersion: node20?.version,
      env: { FRAMEWORK_CORE_ENTRY: coreEntry },
      reason,
    });
  }
  return targets;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installCleanup();
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const hit = args.find((a) => a.startsWith(`--${name}=`));
    return hit ? Number(hit.slice(name.length + 3)) : fallback;
  };
  try {
    ensureWrk();
  } catch (error) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
  const node20 = findNode20();
  const core = node20.bin ? buildCoreForNode20() : {};
  const targets = memoryTargets({
    node24: { bin: process.execPath, version: process.version },
    node20,
    node20Reason: node20.reason,
    coreEntry: core.entry,
    coreReason: core.reason,
    includeUws: !args.includes('--no-uws'),
  });
  const results = await runMemory({
    targets,
    seconds: opt('seconds', 60),
    rate: opt('rate', 2000),
    pin: hasTaskset(),
  });
  for (const r of results) {
    if (!r.available) console.log(`${r.name}: not available: ${r.reason}`);
    else
      console.log(
        `${r.name} (${r.node}): ${(r.rate ?? 0).toFixed(0)} req/s, RSS start ${(r.startKb / 1024).toFixed(1)} MiB, ` +
          `end ${(r.endKb / 1024).toFixed(1)} MiB, max ${(r.maxKb / 1024).toFixed(1)} MiB, growth ${r.growthPct.toFixed(1)} %, ` +
          `trend ${r.slopeMbPerMin.toFixed(2)} MiB/min, non-2xx ${r.non2xx}`,
      );
  }
  await sleep(0);
}
