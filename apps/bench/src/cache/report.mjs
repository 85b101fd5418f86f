// RESULTS-cache.md: the method, the targets, the Redis hit path and the memory store tables.
import { int, median, NA, table, verdictSummary, verdictTable, x } from '../lib/markdown.mjs';
import { IN_FLIGHT, INDEX_LENGTH, KEY_COUNT, MIXED_SET_SHARE, POOL_SIZE, REDIS_VALUE } from './data.mjs';

const us = (n) =>
  n === null || n === undefined ? 'n/a' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0);
const ns = (n) => (n === null || n === undefined ? 'n/a' : n < 100 ? n.toFixed(1) : n.toFixed(0));
const ms = (n) => (n === null || n === undefined ? 'n/a' : n < 1 ? n.toFixed(3) : n.toFixed(2));
const mops = (n) => (n === null || n === undefined ? 'n/a' : `${(n / 1e6).toFixed(2)} M`);

/** Per-round ratios a/b of ops/s (rounds matched: the two were measured seconds apart). */
function perRound(a, b, workload) {
  const out = [];
  for (const m of a.rounds[workload] ?? []) {
    const other = (b.rounds[workload] ?? []).find((t) => t.round === m.round);
    if (other && other.opsPerSec > 0) out.push(m.opsPerSec / other.opsPerSec);
  }
  return out;
}

/**
 * The comparisons of one part. Redis: ours' time per operation ÷ raw ioredis' (≤ 1.15×). Memory:
 * our store's ops/s ÷ the byte-bounded lru-cache's (≥ 1.00×). Plus references without a target.
 */
export function cacheVerdicts(data, partId) {
  const part = data.parts.find((p) => p.id === partId);
  if (!part) return [];
  const find = (name) => data.rows.find((r) => r.name === name);
  const out = [];
  const compare = (aName, bName, what, { invert = false, target = null, pass = null } = {}) => {
    const a = find(aName);
    const b = find(bName);
    if (!a || !b) return;
    for (const workload of part.workloads) {
      const base = { what, workload: workload.label, ours: aName, peer: bName, target: target ?? NA };
      const state = (r, name) => (!r ? `${name} not run` : r.available ? null : `${name} ${r.reason.split(':')[0]}`);
      const why = state(a, aName) ?? state(b, bName);
      if (why) {
        out.push({ ...base, note: why });
        continue;
      }
      const ratios = perRound(a, b, workload.id).map((r) => (invert ? 1 / r : r));
      const ratio = median(ratios);
      const sa = a.summary[workload.id];
      const sb = b.summary[workload.id];
      out.push({
        ...base,
        oursValue: invert ? `${us(sa.usPerOp)} µs` : int(sa.opsPerSec),
        peerValue: invert ? `${us(sb.usPerOp)} µs` : int(sb.opsPerSec),
        ratioValue: ratio,
        ratio: x(ratio),
        spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
        pass: pass ? pass(ratio) : null,
      });
    }
  };
  if (partId === 'redis') {
    const target = { invert: true, target: '≤ 1.15×', pass: (r) => r <= 1.15 };
    compare('ours-wrap', 'raw', 'time per op: `wrap()` hit vs raw GET + JSON.parse', target);
    compare('ours-get', 'raw', 'time per op: `get()` vs raw GET + JSON.parse', target);
    compare('ours-get-plain', 'raw', 'reference: `get()` on a client with ioredis defaults vs raw', { invert: true });
    compare('raw-timeout', 'raw', 'reference: raw with our connection options vs raw', { invert: true });
    compare('ours-get', 'raw-timeout', 'reference: `get()` vs raw, both with our connection options', {
      invert: true,
    });
    compare('raw-get', 'raw', 'reference: raw GET without JSON.parse vs raw', { invert: true });
    compare('ours-tiered-wrap', 'raw', 'reference: tiered `wrap()` (memory hit) vs raw', { invert: true });
  } else {
    compare('ours', 'lru-cache', 'ops/s: MemoryCacheStore vs lru-cache (bytes-bounded)', {
      target: '≥ 1.00×',
      pass: (r) => r >= 1,
    });
    compare('ours-async', 'lru-cache', 'reference: `createCache` memory facade vs lru-cache');
    compare('lru-count', 'lru-cache', 'reference: lru-cache bounded by entries vs by bytes');
    compare('ours', 'lru-count', 'reference: MemoryCacheStore vs lru-cache bounded by entries');
  }
  return out;
}

const HEADER = ['comparison', 'workload', 'a', 'b', 'value a', 'value b', 'ratio', 'spread', 'target', ''];

/** "What limits it": where the time goes when a target is missed, from the reference rows. */
function limits(data, redis, memory) {
  const out = [];
  const at = (list, what, workload) => list.find((v) => v.what.startsWith(what) && v.workload === workload)?.ratioValue;
  const commit = data.git?.commit
    ? ` (code of commit ${data.git.commit}${data.cacheChanges?.length ? ' plus the uncommitted changes listed above' : ''})`
    : '';
  if (redis.some((v) => v.pass === false)) {
    const part = data.parts.find((p) => p.id === 'redis');
    const lines = part.workloads.map(
      (w) =>
        `- ${w.label}: \`get()\` ÷ raw ${x(at(redis, 'time per op: `get()`', w.label))}, \`wrap()\` ÷ raw ${x(at(redis, 'time per op: `wrap()`', w.label))}. ` +
        `The cache's own code, on a client with ioredis' defaults: ${x(at(redis, 'reference: `get()` on a client', w.label))}. ` +
        `Our connection options alone, on raw ioredis: ${x(at(redis, 'reference: raw with our connection options', w.label))}.`,
    );
    out.push(
      [
        `**Redis hit path.** The reference rows split the gap${commit}:`,
        ...lines,
        '',
        "Between the two sits `commandTimeout: 250` from `REQUEST_PATH_DEFAULTS` (`packages/cache/src/redis-connection.ts`), which `createCache({ redis: url })` gives the client it opens: ioredis then arms a `setTimeout` for every command (`Command#setTimeout`) and clears it when the reply comes (`Command#_clearTimers`), a timer object and two timer-list operations per GET that a default client does not pay (in a `--cpu-prof` of the 50-in-flight workload, `_clearTimers` alone is about 5 % of the contender's CPU, plus Node's timer list). It is a deliberate safety default (a hung Redis must not hold a request), so this part of the gap is the price of that protection; ioredis' `socketTimeout` (one timer per socket read rather than per command) bounds a hung server for less, but drops the connection instead of failing one command.",
        '',
        "The cache's own work per hit, on top of raw's GET + `JSON.parse`: the prefix concatenated to the key, `RedisCacheStore#get` (an `async` function: `getBuffer`, then `Codec#decode`: a UTF-8 decode and `JSON.parse` into a `{ value, freshUntil }` object), the promise step of `Cache#get`/`Cache#wrap`, and the counters. Most of the client CPU of every contender is ioredis and the socket write (`writeUtf8String`: one `write` per command).",
      ].join('\n'),
    );
  }
  if (memory.some((v) => v.pass === false)) {
    const part = data.parts.find((p) => p.id === 'memory');
    const perRoundNs = (name, workload) => {
      const rounds = data.rows.find((r) => r.name === name)?.rounds[workload] ?? [];
      const values = rounds.map((r) => r.nsPerOp).filter((n) => n !== undefined);
      return values.length ? `${ns(Math.min(...values))}–${ns(Math.max(...values))} ns` : 'n/a';
    };
    const lines = part.workloads.map((w) => {
      const v = memory.find((r) => r.what.startsWith('ops/s: MemoryCacheStore') && r.workload === w.label);
      return `- ${w.label}: ${v?.ratio ?? 'n/a'} (spread ${v?.spread ?? 'n/a'})${v?.pass === false ? ', missed' : ''}; per round, ours took ${perRoundNs('ours', w.id)} per operation, lru-cache ${perRoundNs('lru-cache', w.id)}.`;
    });
    out.push(
      [
        `**Memory store.** Ours ÷ the bytes-bounded lru-cache${commit}:`,
        ...lines,
        '',
        "A hit of ours is a `Map` lookup, then a read of the key's `Entry` (one heap object per entry: value, expiry, CLOCK's reference bit), a TTL check and a store of the reference bit; lru-cache's is a `Map` lookup to a slot number, then reads of typed arrays. Expiry times are kept as milliseconds since the store's module loaded (small integers that V8 stores in the object itself; an epoch time in milliseconds is a boxed double, one more pointer to follow and a cache miss on every TTL check: that made ours' hits 0.58–0.91× of lru-cache's and unsteady before commit 7e004c0). Overwrites update the `Entry` in place. A miss here means the machine was noisy or the cost moved elsewhere: profile with `--cpu-prof`.",
      ].join('\n'),
    );
  }
  return out;
}

export function renderCacheResults(data) {
  const parts = [];
  const o = data.options;
  const elapsed = `${Math.floor(data.elapsedSeconds / 60)} min ${Math.round(data.elapsedSeconds % 60)} s`;
  const find = (name) => data.rows.find((r) => r.name === name);
  const hasPart = (id) => data.parts.some((p) => p.id === id);
  parts.push('# Cache benchmark results');
  parts.push(
    `Written by \`apps/bench/src/cache/run.mjs\` on ${data.date} (wall time ${elapsed}` +
      `${Object.entries(data.partSeconds ?? {})
        .map(([id, s]) => `; ${id === 'redis' ? 'Redis part' : 'memory part'} ${Math.round(s)} s`)
        .join('')}). ` +
      'How to read this: [README.md](README.md#cache-benchmark). Raw data: `.results/cache-*.json` (not committed).' +
      `${o.quick ? ' **Quick run: smoke test only, not for quoting.**' : ''}` +
      `${o.cpuProf ? ' **Run under `--cpu-prof`: the profiler slows every contender; not for quoting.**' : ''}`,
  );
  if (data.interference && data.interference.median > 25) {
    parts.push(
      `> **Busy machine.** Other processes took a median ${data.interference.median.toFixed(0)} % of a core during the ` +
        'measurements (see "Interference" at the end): absolute numbers are low and ranges wide. The per-round ratios ' +
        'hold up better than the absolute figures, but run again on a quiet machine before quoting any number.',
    );
  }

  parts.push('## Machine and software');
  const m = data.machine;
  const software = [
    ['CPU', `${m.cpu}, ${m.cores} cores`],
    ['RAM', `${m.ramGiB.toFixed(1)} GiB`],
    ['OS', `${m.os}, Linux ${m.kernel}`],
    ['Node', data.node],
    [
      'Redis',
      data.redis
        ? `${data.redis.version} (${data.redis.ours ? 'throwaway server from `@framework/test-services`: no persistence, loopback' : 'the server of REDIS_URL'})`
        : 'not used',
    ],
    [
      'repository',
      data.git
        ? `commit ${data.git.commit}${data.cacheChanges?.length ? `; uncommitted changes in ${data.cacheChanges.map((f) => `\`${f.replace('packages/cache/', '')}\``).join(', ')} of packages/cache (measured as they were)` : ''}`
        : 'n/a',
    ],
    ...Object.entries(data.packages),
  ];
  parts.push(table(['', ''], software));

  parts.push('## Method');
  const redisPart = data.parts.find((p) => p.id === 'redis');
  const memoryPart = data.parts.find((p) => p.id === 'memory');
  parts.push(
    [
      `- Each contender runs alone in its own Node process (\`src/cache/worker.mjs\`)${data.pinned ? ' pinned to core 0; Redis and the harness are pinned to core 1' : ', unpinned (no taskset or one core)'}. Separate processes keep one contender's JIT state (its call sites stay monomorphic), heap and GC out of another's numbers. Before measuring, each must answer right: the Redis contenders read back the stored user (also 50 at once), the \`wrap\` loaders never run; the memory contenders hit all ${int(KEY_COUNT)} pre-filled keys, return the very objects stored, and read an overwrite back. One that cannot load or answers wrong is listed and not measured.`,
      `- **Rounds.** Warm-up first (each contender, each workload). Then ${o.rounds} interleaved round(s): workload by workload, every contender in turn (the compared ones next to each other), direction alternating each round. A measurement is ${redisPart ? `${redisPart.duration} s (Redis part)` : ''}${redisPart && memoryPart ? ' or ' : ''}${memoryPart ? `${memoryPart.duration} s (memory part)` : ''} of timed operations, cut into slices of about 0.1 s that alternate with the other contenders' slices (A B C, C B A, …), so that the machine's drift within a round lands on every contender alike. Tables give the median over the rounds with the min–max range. A **ratio is the median of the per-round ratios** (two measurements seconds apart, so the slow drift of a shared machine cancels out); its "spread" is their min–max: when it straddles the target, the verdict is within noise.`,
      redisPart
        ? `- **Part 1, the Redis hit path.** One key holds a user object of 12 fields (${JSON.stringify(REDIS_VALUE).length} bytes of JSON): raw ioredis reads \`bench:raw:user:42\` (the plain JSON); ours reads \`cache:bench:user:42\`, written by \`cache.set\` (the same JSON behind its one-byte header). Every contender has its own ioredis connection. **Sequential**: one operation awaited after another (time per operation = round trip + client CPU; p50/p99 per operation). **${IN_FLIGHT} in flight**: ${IN_FLIGHT} operations started together and awaited with \`Promise.all\`, again and again (throughput: the client's CPU cost per operation once the round trip is shared). The ratio is ours' time per operation ÷ raw's (lower is better; target ≤ 1.15×).`
        : null,
      memoryPart
        ? `- **Part 2, the memory store.** ${int(KEY_COUNT)} keys (\`user:<i>\`) pre-filled with distinct user objects (~310 bytes of JSON each: ~3 MB, far below the 64 MiB bound: nothing is evicted). Workloads: **get (hit)** of a random key; **set (overwrite)** of a random existing key with one of ${POOL_SIZE} other user objects; **mixed** ${100 - MIXED_SET_SHARE * 100} % get / ${MIXED_SET_SHARE * 100} % set. Keys, values and the get/set plan come from arrays of ${int(INDEX_LENGTH)} pre-generated random indexes, identical in every process. Synchronous contenders run ${'4096'} operations between two clock reads; the \`createCache\` facade awaits each operation. The ratio is ours' ops/s ÷ lru-cache's (higher is better; target ≥ 1.00× against the bytes-bounded lru-cache).`
        : null,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  parts.push('### Contenders');
  parts.push(
    table(
      ['part', 'contender', 'what it runs'],
      data.rows.map((r) => [
        r.part === 'redis' ? '1 Redis' : '2 memory',
        `${r.name}${r.extra ? ' (extra)' : ''}`,
        r.label,
      ]),
    ),
  );

  parts.push('## Targets');
  const redis = cacheVerdicts(data, 'redis');
  const memory = cacheVerdicts(data, 'memory');
  if (redis.length > 0) {
    parts.push('**Redis hit path** (time per operation, ours ÷ raw; lower is better):');
    parts.push(verdictTable(redis, HEADER, 'workload'));
  }
  if (memory.length > 0) {
    parts.push('**Memory store** (operations per second, ours ÷ lru-cache; higher is better):');
    parts.push(verdictTable(memory, HEADER, 'workload'));
  }
  parts.push(
    'Targets (issue): the Redis hit path within 1.15× of raw ioredis (`get()` and `wrap()` on a hit, time per operation ÷ raw ' +
      "GET + JSON.parse's); the memory store at least as fast as lru-cache bounded by bytes (ops/s ÷ lru-cache's ≥ 1.00) on " +
      'each workload. The "reference" rows have no target: they show where the time goes. Values are medians over the ' +
      'rounds; the ratio is the median of the per-round ratios, so it can differ from a ÷ b.',
  );
  parts.push(verdictSummary([...redis, ...memory]));
  const limited = limits(data, redis, memory);
  if (limited.length > 0) {
    parts.push('### What limits it');
    parts.push(limited.join('\n\n'));
  }

  if (hasPart('redis')) {
    parts.push('## Part 1: the Redis hit path');
    const rows = data.rows.filter((r) => r.part === 'redis');
    parts.push(
      table(
        [
          'contender',
          'sequential ops/s',
          'sequential µs/op: mean / p50 / p99',
          `${IN_FLIGHT} in flight ops/s`,
          `${IN_FLIGHT} in flight µs/op`,
          `batch of ${IN_FLIGHT}: p50 / p99 ms`,
        ],
        rows.map((r) => {
          const seq = r.summary.seq;
          const conc = r.summary.conc;
          if (!r.available) return [r.name, r.reason, '', '', '', ''];
          return [
            `${r.name}${r.extra ? ' (extra)' : ''}`,
            seq ? `${int(seq.opsPerSec)} (${int(seq.min)}–${int(seq.max)})` : 'n/a',
            seq ? `${us(seq.usPerOp)} / ${us(seq.p50Us)} / ${us(seq.p99Us)}` : 'n/a',
            conc ? `${int(conc.opsPerSec)} (${int(conc.min)}–${int(conc.max)})` : 'n/a',
            conc ? us(conc.usPerOp) : 'n/a',
            conc ? `${ms(conc.batchP50Ms)} / ${ms(conc.batchP99Ms)}` : 'n/a',
          ];
        }),
        [null, 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    const wrap = find('ours-wrap');
    const tiered = find('ours-tiered-wrap');
    const notes = [];
    for (const r of [wrap, tiered]) {
      if (r?.available && r.after) {
        notes.push(
          `${r.name}: the loader ran ${r.after.loaderCalls} time(s) over ${int(Object.values(r.summary).reduce((s, w) => s + w.ops, 0))} timed calls (cache stats after the run: ${r.after.hits} hits, ${r.after.misses} misses, ${r.after.errors} errors).`,
        );
      }
    }
    const logs = data.rows.filter((r) => r.part === 'redis' && r.logs?.length);
    if (logs.length > 0)
      notes.push(
        `Lines the contenders wrote on stderr: ${logs.map((r) => `${r.name}: \`${r.logs.at(-1)}\``).join('; ')}.`,
      );
    if (notes.length > 0) parts.push(notes.join(' '));
  }

  if (hasPart('memory')) {
    parts.push('## Part 2: the memory store');
    const rows = data.rows.filter((r) => r.part === 'memory');
    const workloads = memoryPart.workloads;
    parts.push('Operations per second (median over the rounds, min–max):');
    parts.push(
      table(
        ['contender', ...workloads.map((w) => w.label)],
        rows.map((r) =>
          r.available
            ? [
                `${r.name}${r.extra ? ' (extra)' : ''}`,
                ...workloads.map((w) => {
                  const s = r.summary[w.id];
                  return s ? `${mops(s.opsPerSec)} (${mops(s.min)}–${mops(s.max)})` : 'n/a';
                }),
              ]
            : [r.name, r.reason, ...workloads.slice(1).map(() => '')],
        ),
        [null, ...workloads.map(() => 'r')],
      ),
    );
    parts.push('Nanoseconds per operation (median over the rounds), and what each holds after the run:');
    parts.push(
      table(
        ['contender', ...workloads.map((w) => w.label), 'entries', 'bytes counted (bound)'],
        rows
          .filter((r) => r.available)
          .map((r) => [
            `${r.name}${r.extra ? ' (extra)' : ''}`,
            ...workloads.map((w) => ns(r.summary[w.id]?.nsPerOp)),
            int(r.after?.entries),
            r.after?.bytes === null || r.after?.bytes === undefined
              ? 'not counted'
              : `${int(r.after.bytes)} (${int(r.after.bound)})`,
          ]),
        [null, ...workloads.map(() => 'r'), 'r', 'r'],
      ),
    );
    parts.push(
      'Bytes counted: ours estimates each entry (`sizeOf(value)` + key + 96 bytes of bookkeeping); lru-cache counts what its `sizeCalculation` returns (the JSON length). lru-count is bounded by 100 000 entries whatever their size: it is not a bounded-memory cache, and is here to show what the bytes accounting costs lru-cache.',
    );
  }

  const notes = data.rows.filter((r) => !r.available).map((r) => `- **${r.name}**: ${r.reason}`);
  if (notes.length > 0) parts.splice(parts.indexOf('## Targets'), 0, '## Not measured', notes.join('\n'));

  parts.push('## Memory of the processes');
  parts.push(
    table(
      ['contender', 'RSS after the run (MiB)'],
      data.rows.filter((r) => r.available).map((r) => [r.name, r.rssKb ? (r.rssKb / 1024).toFixed(1) : 'n/a']),
      [null, 'r'],
    ),
  );
  parts.push('`VmRSS` of each contender process after its last measurement: Node itself, the library, the data.');

  parts.push('## Interference from other processes');
  const i = data.interference;
  parts.push(
    `Load average before the run: ${data.loadBefore.map((l) => l.toFixed(2)).join(', ')}. ` +
      (i
        ? `CPU time used on the two cores by anything other than the contenders${data.redis?.ours ? ', Redis' : ''} and the harness, as a share of one core, per block (one workload, every contender, one round): median ${i.median.toFixed(0)} %, max ${i.max.toFixed(0)} %; ${i.above10} of ${i.measurements} above 10 %. ${i.redos} block(s) were redone because others took more than 25 % of a core (the less disturbed one is kept).`
        : 'Not measured.') +
      (data.redis && !data.redis.ours
        ? ' The Redis of REDIS_URL is not ours: its CPU time cannot be told apart from other processes, so the Redis part has no interference figure.'
        : ''),
  );
  return `${parts.join('\n\n')}\n`;
}
