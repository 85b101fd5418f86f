// Where a contender spends its time, from the .cpuprofile files `node --cpu-prof` wrote
// (run.mjs --cpu-prof): self time by code area and the functions with the most self time.
//
//   node src/cache/profile.mjs <dir or .cpuprofile> [--top=15]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The code area a function belongs to, from its script URL. */
function area(url, name) {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)' || name === '(idle)' || name === '(root)') return name;
  if (url.includes('/packages/cache/')) return '@framework/cache';
  if (url.includes('/packages/core/')) return '@framework/core';
  if (url.includes('/ioredis/')) return 'ioredis';
  if (url.includes('/redis-parser/') || url.includes('/@ioredis/')) return 'ioredis (parser, commands)';
  if (url.includes('/lru-cache/')) return 'lru-cache';
  if (url.includes('/msgpackr/')) return 'msgpackr';
  if (url.includes('/apps/bench/src/cache/contenders.mjs')) return 'contender setup (contenders.mjs)';
  if (url.includes('/apps/bench/')) return 'benchmark loop';
  if (url.startsWith('node:')) return 'Node internals (JS)';
  if (url === '') return 'V8/native builtins';
  return 'other';
}

/** Self time per area and per function of one profile, in percent of the busy (non-idle) time. */
export function analyzeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map();
  const functions = new Map();
  let busy = 0;
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    busy += micros;
    const where = area(callFrame.url, name);
    areas.set(where, (areas.get(where) ?? 0) + micros);
    const file = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const key = `${name} ${file}`.trim();
    const entry = functions.get(key) ?? { name: key, area: where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
  }
  const pct = (micros) => (busy > 0 ? (micros / busy) * 100 : 0);
  return {
    busyMs: busy / 1000,
    areas: [...areas].map(([name, micros]) => ({ name, pct: pct(micros) })).sort((a, b) => b.pct - a.pct),
    functions: [...functions.values()].map((f) => ({ ...f, pct: pct(f.micros) })).sort((a, b) => b.pct - a.pct),
  };
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
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node src/cache/profile.mjs <dir or .cpuprofile> [--top=15]\n');
    process.exit(2);
  }
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 15);
  process.stdout.write(`${summarizeProfiles(target, top)}\n`);
}
