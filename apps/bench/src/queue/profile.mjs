// Where a contender of the queue benchmark spends its time, from the .cpuprofile files that
// `node --cpu-prof` wrote (run.mjs --cpu-prof): self time by code area, the functions with the most
// self time, and the inclusive time of ours' own functions (packages/queue) with what they call.
//
//   node src/queue/profile.mjs <dir or .cpuprofile> [--top=15]
//   node src/queue/profile.mjs <dir> --diff=ours,raw [--top=25]   where ours spends more than raw
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The code area a function belongs to, from its script URL. */
function area(url, name) {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)' || name === '(idle)' || name === '(root)') return name;
  if (url.includes('/packages/queue/')) return '@framework/queue';
  if (url.includes('/packages/core/')) return '@framework/core';
  if (url.includes('/bullmq/')) return 'bullmq';
  if (url.includes('/ioredis/')) return 'ioredis';
  if (url.includes('/redis-parser/') || url.includes('/@ioredis/')) return 'ioredis (parser, commands)';
  if (url.includes('/msgpackr/')) return 'msgpackr (bullmq)';
  if (url.includes('/zod/')) return 'zod';
  if (url.includes('/cron-parser/') || url.includes('/luxon/')) return 'cron-parser';
  if (url.includes('/apps/bench/')) return 'benchmark harness';
  if (url.startsWith('node:')) return 'Node internals (JS)';
  if (url === '') return 'V8/native builtins';
  return 'other';
}

/** Self time per area and per function, and inclusive time of packages/queue's functions, in % of the busy time. */
export function analyzeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map();
  const functions = new Map();
  const inclusive = new Map();
  let busy = 0;
  const keyOf = (callFrame) => {
    const name = callFrame.functionName || '(anonymous)';
    const file = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    return `${name} ${file}`.trim();
  };
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    busy += micros;
    const where = area(callFrame.url, name);
    areas.set(where, (areas.get(where) ?? 0) + micros);
    const key = keyOf(callFrame);
    const entry = functions.get(key) ?? { name: key, area: where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
    // Inclusive time of every packages/queue function on this sample's stack (each counted once).
    const counted = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at).callFrame;
      if (!frame.url.includes('/packages/queue/')) continue;
      const k = keyOf(frame);
      if (counted.has(k)) continue;
      counted.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + micros);
    }
  }
  const pct = (micros) => (busy > 0 ? (micros / busy) * 100 : 0);
  return {
    busyMs: busy / 1000,
    areas: [...areas].map(([name, micros]) => ({ name, pct: pct(micros) })).sort((a, b) => b.pct - a.pct),
    functions: [...functions.values()].map((f) => ({ ...f, pct: pct(f.micros) })).sort((a, b) => b.pct - a.pct),
    ours: [...inclusive].map(([name, micros]) => ({ name, pct: pct(micros) })).sort((a, b) => b.pct - a.pct),
  };
}

/**
 * Where `a` spends more than `b` (both processed the same jobs): self time in ms, by area and by
 * function, largest differences first.
 */
export function compareProfiles(dir, a = 'ours', b = 'raw', top = 25) {
  const pa = analyzeProfile(join(dir, `${a}.cpuprofile`));
  const pb = analyzeProfile(join(dir, `${b}.cpuprofile`));
  const ms = (p, pct) => (pct / 100) * p.busyMs;
  const merge = (listA, listB, key) => {
    const map = new Map();
    for (const f of listA) map.set(f[key], { name: f[key], area: f.area, a: ms(pa, f.pct), b: 0 });
    for (const f of listB) {
      const e = map.get(f[key]) ?? { name: f[key], area: f.area, a: 0, b: 0 };
      e.b = ms(pb, f.pct);
      map.set(f[key], e);
    }
    return [...map.values()].map((e) => ({ ...e, diff: e.a - e.b })).sort((x, y) => y.diff - x.diff);
  };
  const out = [
    `${a} − ${b}: ${Math.round(pa.busyMs - pb.busyMs)} ms more busy time (${Math.round(pa.busyMs)} vs ${Math.round(pb.busyMs)} ms, self time)`,
  ];
  const areas = merge(pa.areas, pb.areas, 'name');
  out.push(
    `  by area: ${areas
      .filter((e) => Math.abs(e.diff) >= 1)
      .map((e) => `${e.name} ${e.diff >= 0 ? '+' : ''}${Math.round(e.diff)}`)
      .join(', ')} ms`,
  );
  for (const f of merge(pa.functions, pb.functions, 'name').slice(0, top)) {
    out.push(
      `  ${`+${Math.round(f.diff)}`.padStart(6)} ms  ${f.name}  [${f.area}] (${Math.round(f.a)} vs ${Math.round(f.b)})`,
    );
  }
  return out.join('\n');
}

/** A text summary of every .cpuprofile in `dir`. */
export function summarizeProfiles(dir, top = 12) {
  const files = statSync(dir).isDirectory()
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort()
        .map((f) => join(dir, f))
    : [dir];
  const out = [`CPU profiles in ${dir} (self time, % of busy time):`];
  for (const file of files) {
    const a = analyzeProfile(file);
    out.push(`\n${basename(file, '.cpuprofile')} (${Math.round(a.busyMs)} ms busy)`);
    out.push(`  by area: ${a.areas.map((x) => `${x.name} ${x.pct.toFixed(1)} %`).join(', ')}`);
    for (const f of a.functions.slice(0, top)) out.push(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.name}  [${f.area}]`);
    if (a.ours.length > 0) {
      out.push('  @framework/queue functions, inclusive (with what they call):');
      for (const f of a.ours.slice(0, top)) out.push(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.name}`);
    }
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node src/queue/profile.mjs <dir or .cpuprofile> [--top=15] [--diff=ours,raw]\n');
    process.exit(2);
  }
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 15);
  const diff = process.argv.find((a) => a.startsWith('--diff='))?.split('=')[1];
  if (diff) {
    const [a, b] = diff.split(',');
    process.stdout.write(`${compareProfiles(target, a, b, top)}\n`);
  } else process.stdout.write(`${summarizeProfiles(target, top)}\n`);
}
