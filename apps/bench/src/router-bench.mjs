#!/usr/bin/env node
// Router micro-benchmark (mitata): our radix Router against find-my-way, rou3 and Hono's
// RegExpRouter and TrieRouter, on ~300 routes modelled on GitHub's REST API.
//
//   node src/router-bench.mjs            table on stdout
//   node src/router-bench.mjs --json     one JSON line on stdout (used by run.mjs)
//   node src/router-bench.mjs --quick    shorter measurements
//
// Each (router, category) pair is measured in its own child process, so the JIT state and the heap
// one measurement leaves behind never touch another's numbers. Needs Node >= 22.18 for our router
// (TypeScript source, type stripping).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOOKUPS, mixedLookups, ROUTES } from './routes/github.mjs';

const HERE = fileURLToPath(import.meta.url);
export const ROUTERS = ['ours', 'find-my-way', 'rou3', 'hono-regexp', 'hono-trie'];
export const CATEGORIES = ['static', 'param', 'wildcard', 'miss', 'overall'];

/** Builds one router over ROUTES; returns `find(method, path)` → the matched pattern or null. */
async function build(name) {
  const noop = () => {};
  if (name === 'ours') {
    const { Router } = await import('../../../packages/core/src/router/radix.ts');
    const router = new Router();
    for (const { method, path } of ROUTES) router.add(method, path, path);
    return {
      find: (method, path) => router.find(method, path),
      pattern: (result) => (result === null ? null : result.value),
    };
  }
  if (name === 'find-my-way') {
    const { default: FindMyWay } = await import('find-my-way');
    const router = FindMyWay();
    for (const { method, path } of ROUTES) router.on(method, path, noop, path);
    return {
      find: (method, path) => router.find(method, path),
      pattern: (result) => (result === null ? null : result.store),
    };
  }
  if (name === 'rou3') {
    const { addRoute, createRouter, findRoute } = await import('rou3');
    const router = createRouter();
    // rou3 spells a trailing catch-all `**`.
    for (const { method, path } of ROUTES) addRoute(router, method, path.replace(/\/\*$/, '/**'), path);
    return {
      find: (method, path) => findRoute(router, method, path),
      pattern: (result) => (result === undefined ? null : result.data),
    };
  }
  if (name === 'hono-regexp' || name === 'hono-trie') {
    const { RegExpRouter } = await import('hono/router/reg-exp-router');
    const { TrieRouter } = await import('hono/router/trie-router');
    const router = name === 'hono-regexp' ? new RegExpRouter() : new TrieRouter();
    for (const { method, path } of ROUTES) router.add(method, path, path);
    // Hono routers return every matching handler in registration order (middleware-style); the
    // app uses the first that answers. A lookup counts as right when the expected route is among them.
    return {
      find: (method, path) => router.match(method, path),
      pattern: (result) => result[0].map((entry) => entry[0]),
    };
  }
  throw new Error(`unknown router ${name}`);
}

function lookupsFor(category) {
  return category === 'overall' ? mixedLookups() : LOOKUPS[category];
}

/** Checks every lookup against the expected route; returns the list of disagreements. */
function check(name, router) {
  const wrong = [];
  for (const category of CATEGORIES.slice(0, 4)) {
    for (const [method, path, expected] of LOOKUPS[category]) {
      let got;
      try {
        got = router.pattern(router.find(method, path));
      } catch (error) {
        got = `threw ${error.message}`;
      }
      const ok = Array.isArray(got)
        ? expected === null
          ? got.length === 0
          : got.includes(expected)
        : got === expected;
      if (!ok) wrong.push(`${name}: ${method} ${path} → ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    }
  }
  return wrong;
}

/** Child mode: measures one router on one category; prints one JSON line. */
async function measureOne(name, category, quick) {
  const { measure, do_not_optimize } = await import('mitata');
  const router = await build(name);
  const find = router.find;
  const list = lookupsFor(category);
  const methods = list.map((entry) => entry[0]);
  const paths = list.map((entry) => entry[1]);
  const count = list.length;
  const stats = await measure(
    () => {
      for (let i = 0; i < count; i++) do_not_optimize(find(methods[i], paths[i]));
    },
    { min_cpu_time: (quick ? 100 : 300) * 1e6 },
  );
  const result = {
    lookups: count,
    nsPerLookup: stats.avg / count,
    lookupsPerSec: count / (stats.avg / 1e9),
    p99NsPerLookup: stats.p99 / count,
    samples: stats.samples.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs the whole benchmark: correctness check, then one child process per router. */
export async function runRouterBench({ quick = false, log = () => {} } = {}) {
  const errors = [];
  const mismatches = [];
  for (const name of ROUTERS) {
    try {
      mismatches.push(...check(name, await build(name)));
    } catch (error) {
      errors.push(`${name}: cannot build this route table (${error.constructor.name}: ${error.message})`);
    }
  }
  // Two interleaved rounds (every router and category, then again); the better of the two is kept,
  // the usual choice for a micro-benchmark on a shared machine: noise only ever slows a run down.
  const rounds = quick ? 1 : 2;
  const results = {};
  for (let round = 1; round <= rounds; round++) {
    for (const name of ROUTERS) {
      if (errors.some((e) => e.startsWith(`${name}:`))) continue;
      log(`  round ${round}: router ${name} ...`);
      results[name] ??= {};
      for (const category of CATEGORIES) {
        const args = [HERE, `--router=${name}`, `--category=${category}`, ...(quick ? ['--quick'] : [])];
        const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
        const line = child.stdout?.trim().split('\n').pop();
        if (child.status !== 0 || !line?.startsWith('{')) {
          const why = child.error?.message ?? `exit ${child.status}`;
          errors.push(`${name}/${category}: measurement failed (${why}): ${child.stderr?.slice(-300)}`);
          continue;
        }
        const measured = JSON.parse(line);
        const previous = results[name][category];
        const all = [...(previous?.rounds ?? []), measured.lookupsPerSec];
        results[name][category] =
          previous === undefined || measured.lookupsPerSec > previous.lookupsPerSec
            ? { ...measured, rounds: all }
            : { ...previous, rounds: all };
      }
    }
  }
  return {
    node: process.version,
    rounds,
    routes: ROUTES.length,
    lookups: Object.fromEntries(CATEGORIES.map((c) => [c, lookupsFor(c).length])),
    results,
    mismatches,
    errors,
  };
}

export function formatRouterTable(bench) {
  const fmt = (n) => (n === undefined ? 'n/a' : `${(n / 1e6).toFixed(2)} M`);
  const lines = [];
  lines.push(`| router | ${CATEGORIES.map((c) => `${c} (${bench.lookups[c]})`).join(' | ')} |`);
  lines.push(`|---|${CATEGORIES.map(() => '---:').join('|')}|`);
  for (const name of ROUTERS) {
    const r = bench.results[name];
    lines.push(`| ${name} | ${CATEGORIES.map((c) => fmt(r?.[c]?.lookupsPerSec)).join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === HERE) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const one = args.find((a) => a.startsWith('--router='));
  if (one) {
    const category = args.find((a) => a.startsWith('--category='))?.slice('--category='.length) ?? 'overall';
    await measureOne(one.slice('--router='.length), category, quick);
  } else {
    const json = args.includes('--json');
    const bench = await runRouterBench({ quick, log: json ? () => {} : (m) => console.error(m) });
    if (json) process.stdout.write(`${JSON.stringify(bench)}\n`);
    else {
      console.log(`Node ${bench.node}, ${bench.routes} routes; lookups per second (higher is better)\n`);
      console.log(formatRouterTable(bench));
      for (const m of [...bench.mismatches, ...bench.errors]) console.log(`! ${m}`);
    }
  }
}
