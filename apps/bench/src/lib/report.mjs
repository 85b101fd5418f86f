// RESULTS.md: the method, the tables, the ratios against the targets, router and memory results.

import { CATEGORIES, ROUTERS } from '../router-bench.mjs';
import { int, KO, median, NA, OK, table, verdictSummary, verdictTable, x } from './markdown.mjs';

const ms = (n) => (n === null || n === undefined ? 'n/a' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const mib = (kb) => (kb === null || kb === undefined ? 'n/a' : (kb / 1024).toFixed(1));

/** Per-round ratios ours/theirs of `pick(measurement)`, rounds matched (they were measured seconds apart). */
function paired(ours, theirs, pick) {
  const out = [];
  for (const m of ours) {
    const other = theirs.find((t) => t.round === m.round);
    if (other && pick(other) > 0) out.push(pick(m) / pick(other));
  }
  return out;
}

/** The ratios the targets are about. Each: { what, node, route, ours, peer, ratio, spread, target, pass }. */
export function verdicts(data) {
  const find = (key) => data.rows.find((r) => r.key === key);
  const out = [];
  const missing = (row) => (row === undefined ? 'not run' : row.available ? null : `not available: ${row.reason}`);
  const throughput = (oursKey, peerKey, routeIds, min, what) => {
    const ours = find(oursKey);
    const peer = find(peerKey);
    for (const routeId of routeIds) {
      const a = ours?.summary?.[routeId];
      const b = peer?.summary?.[routeId];
      const why = missing(ours) ?? missing(peer) ?? (!a || !b ? 'no data' : null);
      if (why) {
        out.push({
          what,
          route: routeId,
          ours: oursKey,
          peer: peerKey,
          note: why,
          target: min === null ? NA : `≥ ${min.toFixed(2)}×`,
        });
        continue;
      }
      const perRound = paired(ours.routes[routeId], peer.routes[routeId], (m) => m.rps);
      const ratio = median(perRound);
      out.push({
        what,
        route: routeId,
        ours: oursKey,
        peer: peerKey,
        oursValue: int(a.rps),
        peerValue: int(b.rps),
        ratio: x(ratio),
        spread: `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`,
        target: min === null ? NA : `≥ ${min.toFixed(2)}×`,
        pass: min === null ? null : ratio >= min,
      });
    }
  };
  const routeIds = data.routes.map((r) => r.id);
  for (const major of [24, 20]) {
    throughput(`ours-node@${major}`, `node-http@${major}`, routeIds, 0.95, 'req/s vs raw node:http');
    throughput(`ours-node@${major}`, `fastify@${major}`, routeIds, 1.0, 'req/s vs Fastify');
  }
  throughput('ours-uws@20', 'uws@20', ['GET /', 'GET /user/:id'], 0.8, 'req/s vs raw uWS');
  throughput('ours-uws@20', 'uws@20', ['POST /echo', 'GET /mw'], null, 'req/s vs raw uWS (no target)');
  // References: the same comparisons against raw servers that send our default security headers,
  // and what those headers alone cost each raw server.
  const targetRoutes = ['GET /', 'GET /user/:id'];
  throughput(
    'ours-node@24',
    'node-http-headers@24',
    targetRoutes,
    null,
    'req/s vs raw node:http + same headers (reference)',
  );
  throughput(
    'node-http-headers@24',
    'node-http@24',
    targetRoutes,
    null,
    'cost of the headers alone: raw node:http with/without',
  );
  throughput('ours-uws@20', 'uws-headers@20', targetRoutes, null, 'req/s vs raw uWS + same headers (reference)');
  throughput('uws-headers@20', 'uws@20', targetRoutes, null, 'cost of the headers alone: raw uWS with/without');
  for (const major of [24, 20]) {
    const ours = find(`ours-node@${major}`);
    const peer = find(`fastify@${major}`);
    for (const routeId of routeIds) {
      const a = ours?.summary?.[routeId];
      const b = peer?.summary?.[routeId];
      const why = missing(ours) ?? missing(peer) ?? (!a || !b ? 'no data' : null);
      const base = {
        what: 'p99 latency vs Fastify',
        route: routeId,
        ours: ours?.key,
        peer: peer?.key,
        target: '≤ 1.00×',
      };
      if (why) out.push({ ...base, note: why });
      else {
        const perRound = paired(ours.routes[routeId], peer.routes[routeId], (m) => m.p99);
        const ratio = median(perRound);
        out.push({
          ...base,
          oursValue: `${ms(a.p99)} ms`,
          peerValue: `${ms(b.p99)} ms`,
          ratio: x(ratio),
          spread: `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`,
          pass: ratio <= 1,
        });
      }
    }
  }
  const idle = (oursKey, peerKey, what, oursKb) => {
    const ours = find(oursKey);
    const peer = find(peerKey);
    const a = oursKb ?? ours?.idleKb;
    const why = (oursKb === undefined ? missing(ours) : null) ?? missing(peer);
    const base = { what, route: '—', ours: oursKey, peer: peerKey, target: '≤ 1.10×' };
    if (why || !a) out.push({ ...base, note: why ?? 'no data' });
    else
      out.push({
        ...base,
        oursValue: `${mib(a)} MiB`,
        peerValue: `${mib(peer.idleKb)} MiB`,
        ratio: x(a / peer.idleKb),
        pass: a / peer.idleKb <= 1.1,
      });
  };
  idle('ours-node@24', 'node-http@24', 'idle RSS vs raw node:http (TypeScript source, type-stripped)');
  if (data.compiledIdle?.kb)
    idle(
      'ours-node@24 (compiled)',
      'node-http@24',
      'idle RSS vs raw node:http (compiled JS, as published)',
      data.compiledIdle.kb,
    );
  idle('ours-node@20', 'node-http@20', 'idle RSS vs raw node:http');
  idle('ours-uws@20', 'node-http@20', 'idle RSS vs raw node:http');
  for (const r of data.memory?.results ?? []) {
    const base = { what: 'RSS growth over the memory run', route: '—', ours: `${r.name}`, peer: '—', target: '≤ 10 %' };
    if (!r.available) out.push({ ...base, note: `not available: ${r.reason}` });
    else
      out.push({
        ...base,
        oursValue: `${mib(r.startKb)} → ${mib(r.endKb)} MiB`,
        ratio: `${r.growthPct >= 0 ? '+' : ''}${r.growthPct.toFixed(1)} %`,
        pass: r.growthPct <= 10,
      });
  }
  if (data.router && !data.router.error) {
    const results = data.router.results;
    for (const category of CATEGORIES) {
      const ours = results.ours?.[category]?.lookupsPerSec;
      const peers = ROUTERS.filter((n) => n !== 'ours' && results[n]?.[category]);
      const best = peers.sort((p, q) => results[q][category].lookupsPerSec - results[p][category].lookupsPerSec)[0];
      const base = {
        what: 'router lookups/s vs fastest peer',
        route: category,
        ours: 'ours',
        peer: best ?? '—',
        target: '≥ 1.00×',
      };
      if (!ours || !best) out.push({ ...base, note: 'no data' });
      else {
        const peerValue = results[best][category].lookupsPerSec;
        out.push({
          ...base,
          oursValue: `${(ours / 1e6).toFixed(2)} M/s`,
          peerValue: `${(peerValue / 1e6).toFixed(2)} M/s`,
          ratio: x(ours / peerValue),
          pass: ours >= peerValue,
        });
      }
    }
  }
  return out;
}

export function renderResults(data) {
  const o = data.options;
  const m = data.machine;
  const parts = [];
  parts.push('# Benchmark results');
  parts.push(
    `Written by \`apps/bench/src/run.mjs\` on ${data.date} (wall time ${Math.floor(data.elapsedSeconds / 60)} min ` +
      `${Math.round(data.elapsedSeconds % 60)} s). How to read this: [README.md](README.md). Raw data: ` +
      '`.results/` (not committed).' +
      (data.phases
        ? ` Phases: throughput ${Math.round(data.phases.throughput)} s, router ${Math.round(data.phases.router)} s, ` +
          `memory ${Math.round(data.phases.memory)} s.`
        : '') +
      (o.quick ? '\n\n**Quick smoke run: 1 round of 1 s measurements — these numbers are not for comparison.**' : ''),
  );

  parts.push('## Machine and software');
  parts.push(
    table(
      ['', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['RAM', `${m.ramGiB.toFixed(1)} GiB`],
        ['OS', `${m.os}, Linux ${m.kernel}`],
        ['Node', `${data.node[24]} and ${data.node[20] ?? `no Node 20 (${data.node.node20Reason})`}`],
        ['wrk', data.wrk],
        [
          'repository',
          data.git
            ? `commit ${data.git.commit}` +
              (data.git.coreChangedFiles
                ? `, plus uncommitted changes in ${data.git.coreChangedFiles} file(s) of packages/core`
                : '')
            : 'n/a',
        ],
        ...Object.entries(data.packages).map(([name, version]) => [name, version]),
      ],
    ),
  );

  parts.push('## Method');
  const measurements = data.rows.reduce(
    (n, r) => n + Object.values(r.routes).reduce((m, runs) => m + runs.length, 0),
    0,
  );
  parts.push(
    [
      `- Every server runs in its own process${data.pinned ? ', pinned to core 0 (`taskset -c 0`)' : ' (**not pinned**: taskset missing or one core)'}; ` +
        `wrk runs${data.pinned ? ' pinned to core 1' : ''} as \`wrk -t1 -c${o.connections} -d${o.duration}s --latency\` ` +
        '(POST /echo through `src/lua/post.lua`, a valid 32-byte JSON body). Loopback only, `NODE_ENV=production`.',
      '- Before any load, each server must answer the four routes exactly as specified and reject four invalid ' +
        'bodies with 400; a server that cannot start or answers wrongly is reported as not available.',
      `- Idle RSS is \`VmRSS\` from \`/proc/<pid>/status\` 1 s after the ready line, before any request. RSS under load ` +
        'is the highest VmRSS sampled every 250 ms during the measurements.',
      `- Servers start together and stay up for the whole run; only one is under load at any time. Each is warmed ` +
        `up with ${o.warmup} s of wrk cycling through all four routes, then measured in ${o.rounds} interleaved ` +
        `round(s) (round 1 measures every server and route, then round 2, …). ${measurements} measurements in all.`,
      '- Tables give the median of the rounds with the min–max range. Each round measures route by route, every ' +
        'server in turn, with compared servers next to each other (raw node:http, ours, Fastify, …; raw uWS, ' +
        'ours-uws), direction alternating each round. A ratio is the median of the per-round ratios (each between ' +
        'two measurements seconds apart, so slow drift of the machine cancels out); "spread" is their min–max: when ' +
        'it straddles the target, the verdict is within noise.',
      '- Node 24 runs `@framework/core` from its TypeScript source through the workspace link (type stripping); ' +
        'Node 20 runs the same source compiled by `tsc` into `apps/bench/.build/core`. uWebSockets.js ' +
        '(`@trufflesuite/uws-js-unofficial`) has a native build for Node 20 only here, so the uws rows are Node 20 only.',
      '- Peers use their documented, idiomatic setup: Fastify with JSON schemas for the body and the responses ' +
        '(Ajv + fast-json-stringify) and hooks as middleware; Hono with `@hono/zod-validator`; Express and Koa with ' +
        'their JSON body parsers and zod in the handler; the raw servers with hand-written checks. Ours is ' +
        '`createApp()` with every default on, `schema: { body: z.object(...) }`, and middleware through `next(extension)`: ' +
        "its responses carry helmet's 13 security headers (about 450 bytes), which the raw servers and the peers do not send.",
      '- References, not peers: `node-http-headers` and `uws-headers` are the raw servers sending the same security ' +
        'headers as ours (`BENCH_SECURITY_HEADERS=1`), on `GET /` and `GET /user/:id`. Comparing against them ' +
        'separates what the framework costs from what the headers cost (header handling in node:http, bytes on the ' +
        'wire, parsing in wrk).',
    ].join('\n'),
  );

  parts.push('## Targets');
  const v = verdicts(data);
  parts.push(
    verdictTable(
      v,
      ['comparison', 'route', 'ours', 'against', 'ours', 'theirs', 'ratio', 'spread', 'target', ''],
      'route',
    ),
  );
  parts.push(
    '"ours" and "theirs" are medians over the rounds; "ratio" is the median of the per-round ratios, so it can ' +
      'differ from ours ÷ theirs. p99 from a 2 s closed-loop run mostly measures the longest stall the machine had ' +
      'in that window (one spike moves it tenfold, see the spreads): read the p99 verdicts as indicative only.',
  );
  parts.push(verdictSummary(v));

  const routeIds = data.routes.map((r) => r.id);
  parts.push('## Throughput (requests/s, higher is better)');
  for (const major of [24, 20]) {
    const rows = data.rows.filter((r) => r.nodeMajor === major);
    if (rows.length === 0) continue;
    parts.push(`### Node ${data.node[major] ?? major}`);
    parts.push(
      table(
        ['server', ...routeIds],
        rows.map((r) => [
          `${r.name}${r.ours ? ' (ours)' : ''}`,
          ...routeIds.map((id) => {
            const s = r.summary?.[id];
            if (!r.available && !s) return 'not available';
            return s ? `${int(s.rps)} (${int(s.min)}–${int(s.max)})` : 'n/a';
          }),
        ]),
        [null, 'r', 'r', 'r', 'r'],
      ),
    );
  }

  parts.push('## Latency (p50 / p99 in ms, median of the rounds, lower is better)');
  for (const major of [24, 20]) {
    const rows = data.rows.filter((r) => r.nodeMajor === major && r.available);
    if (rows.length === 0) continue;
    parts.push(`### Node ${data.node[major] ?? major}`);
    parts.push(
      table(
        ['server', ...routeIds],
        rows.map((r) => [
          r.name,
          ...routeIds.map((id) => {
            const s = r.summary?.[id];
            return s ? `${ms(s.p50)} / ${ms(s.p99)}` : 'n/a';
          }),
        ]),
        [null, 'r', 'r', 'r', 'r'],
      ),
    );
  }

  parts.push('## Memory per server (RSS, MiB)');
  const memRows = data.rows.filter((r) => r.available || r.idleKb).map((r) => [r.key, mib(r.idleKb), mib(r.loadKbMax)]);
  if (data.compiledIdle?.kb) memRows.push(['ours-node@24, compiled JS (idle only)', mib(data.compiledIdle.kb), '—']);
  parts.push(table(['server', 'idle', 'max under load'], memRows, [null, 'r', 'r']));

  parts.push('## Interference from other processes');
  const measured = data.rows.flatMap((r) =>
    Object.values(r.routes)
      .flat()
      .map((m) => ({ ...m, key: r.key })),
  );
  const foreign = measured.map((m) => m.foreignPct).filter((p) => p !== null && p !== undefined);
  if (foreign.length === 0) parts.push('Not measured.');
  else {
    const sorted = [...foreign].sort((a, b) => a - b);
    const busy = measured.filter((m) => m.foreignPct > 10);
    parts.push(
      'CPU time used on the two cores by anything other than the server under test, wrk and the harness, as a ' +
        "share of one core (from /proc/stat minus those processes' own times). " +
        `Before the run: ${data.preflight ? `${data.preflight.foreignPct.toFixed(0)} %` : 'n/a'}. ` +
        `During the ${foreign.length} measurements: median ${sorted[sorted.length >> 1].toFixed(0)} %, ` +
        `max ${sorted.at(-1).toFixed(0)} %; ${busy.length} above 10 %` +
        (busy.length > 0
          ? ` (${busy
              .slice(0, 12)
              .map((m) => `${m.key} round ${m.round}: ${m.foreignPct.toFixed(0)} %`)
              .join(', ')}${busy.length > 12 ? ', …' : ''}).`
          : '.') +
        ` ${measured.filter((m) => m.retried).length} measurement(s) were redone because others took more than 25 % ` +
        `of a core (budget ${o.retries ?? 0}; the less disturbed result is kept). Medians over the rounds absorb one ` +
        'disturbed round; the min–max ranges show it.',
    );
  }

  const unavailable = data.rows.filter((r) => !r.available);
  const notes = [];
  for (const r of unavailable) notes.push(`- **${r.key}**: not available: ${r.reason}`);
  for (const r of data.rows) for (const a of r.anomalies ?? []) notes.push(`- ${r.key}: ${a}`);
  for (const w of data.coreBuild?.warnings ?? []) notes.push(`- core build: ${w}`);
  if (data.compiledIdle?.reason) notes.push(`- compiled-JS idle measurement failed: ${data.compiledIdle.reason}`);
  if (notes.length > 0) {
    parts.push('## Not available and anomalies');
    parts.push(notes.join('\n'));
  }

  parts.push('## Router micro-benchmark');
  if (!data.router) parts.push('Skipped.');
  else if (data.router.error) parts.push(`Failed: ${data.router.error}`);
  else {
    const r = data.router;
    parts.push(
      `mitata on Node ${r.node}, ${r.routes} routes modelled on GitHub's REST API (\`src/routes/github.mjs\`: static, ` +
        '`:param`, nested params, trailing wildcards for file paths and git refs). Each (router, category) pair is ' +
        `measured in a fresh process, in ${r.rounds ?? 1} interleaved round(s); the best round is shown. "overall" is ` +
        'all lookups interleaved in one loop. Lookups per second (M = million) and nanoseconds per lookup; higher ' +
        'lookups/s is better.',
    );
    parts.push(
      table(
        ['router', ...CATEGORIES.map((c) => `${c} (${r.lookups[c]})`)],
        ROUTERS.map((name) => [
          name,
          ...CATEGORIES.map((c) => {
            const cell = r.results[name]?.[c];
            return cell ? `${(cell.lookupsPerSec / 1e6).toFixed(2)} M (${cell.nsPerLookup.toFixed(0)} ns)` : 'n/a';
          }),
        ]),
        [null, 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    const extra = [...r.errors.map((e) => `- ${e}`), ...r.mismatches.map((e) => `- wrong answer: ${e}`)];
    if (extra.length > 0) parts.push(extra.join('\n'));
    parts.push(
      'Not like for like in every respect: ours and find-my-way return decoded parameters in an object; rou3 returns ' +
        'raw parameters; Hono routers return every matching handler (registration order decides) with parameters as ' +
        'indexes into a stash, decoded later by the app.',
    );
  }

  parts.push('## Memory run');
  if (!data.memory) parts.push('Skipped.');
  else {
    const mem = data.memory;
    parts.push(
      `${mem.seconds} s of paced load (wrk, 10 connections, each pausing between requests; aim ${mem.rate} req/s) ` +
        'cycling through the four routes, after a 3 s warm-up at the same rate; both servers side by side (core 0, ' +
        'loaders on core 1); VmRSS sampled every second. ' +
        'Growth is end vs start; the trend is a least-squares slope over all samples.',
    );
    parts.push(
      table(
        ['server', 'Node', 'req/s', 'idle', 'start', 'end', 'max', 'growth', 'trend', 'non-2xx', ''],
        mem.results.map((r) =>
          r.available
            ? [
                r.name,
                r.node,
                int(r.rate),
                mib(r.idleKb),
                mib(r.startKb),
                mib(r.endKb),
                mib(r.maxKb),
                `${r.growthPct.toFixed(1)} %`,
                `${r.slopeMbPerMin >= 0 ? '+' : ''}${r.slopeMbPerMin.toFixed(2)} MiB/min`,
                String(r.non2xx),
                r.growthPct <= 10 ? OK : KO,
              ]
            : [r.name, r.node ?? '', `not available: ${r.reason}`, '', '', '', '', '', '', '', NA],
        ),
        [null, null, 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', null],
      ),
    );
    for (const r of mem.results.filter((x) => x.available)) {
      const every10 = [];
      for (const sample of r.samples) if (sample.t >= every10.length * 10) every10.push(sample);
      if (every10.at(-1) !== r.samples.at(-1)) every10.push(r.samples.at(-1));
      parts.push(`${r.name} RSS (MiB) every ~10 s: ${every10.map((s) => mib(s.kb)).join(' → ')}`);
    }
  }
  return `${parts.join('\n\n')}\n`;
}
