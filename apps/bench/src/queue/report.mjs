// RESULTS-queue.md: the method, the targets, the throughput table, the per-round ratios.
import { int, median, NA, table, verdictSummary, verdictTable, x } from '../lib/markdown.mjs';

/** The target: ours within 1.05× of raw BullMQ, i.e. ours' jobs/s ÷ raw's ≥ 1 / 1.05. */
export const TARGET = 1 / 1.05;

const us = (n) => (n === null || n === undefined ? 'n/a' : n < 100 ? n.toFixed(1) : n.toFixed(0));
const sec = (ms) => (ms === null || ms === undefined ? 'n/a' : (ms / 1000).toFixed(2));
const cellLabel = (cell) => `${cell.workloadLabel}, concurrency ${cell.concurrency}`;

/** Per-round ratios a/b of a cell's jobs/s (rounds matched: the two were measured seconds apart). */
function perRound(a, b, cellId, key = 'jobsPerSec') {
  const out = [];
  for (const m of a.rounds[cellId] ?? []) {
    const other = (b.rounds[cellId] ?? []).find((t) => t.round === m.round);
    if (other && other[key] > 0 && m[key] !== null && m[key] !== undefined) out.push(m[key] / other[key]);
  }
  return out;
}

/** The comparisons: ours ÷ raw (target ≥ 1/1.05), and references without a target. */
export function queueVerdicts(data) {
  const find = (name) => data.rows.find((r) => r.name === name);
  const out = [];
  const compare = (aName, bName, what, { target = null, pass = null } = {}) => {
    const a = find(aName);
    const b = find(bName);
    if (!a || !b) return;
    for (const cell of data.cells) {
      const base = { what, cell: cellLabel(cell), ours: aName, peer: bName, target: target ?? NA };
      const state = (r, name) => (r.available ? null : `${name} ${r.reason.split(':')[0]}`);
      const why = state(a, aName) ?? state(b, bName);
      if (why) {
        out.push({ ...base, note: why });
        continue;
      }
      const ratios = perRound(a, b, cell.id);
      const ratio = median(ratios);
      out.push({
        ...base,
        cellId: cell.id,
        oursValue: int(a.summary[cell.id].jobsPerSec),
        peerValue: int(b.summary[cell.id].jobsPerSec),
        ratioValue: ratio,
        ratios,
        ratio: x(ratio),
        spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
        pass: pass ? pass(ratio) : null,
      });
    }
  };
  compare('ours', 'raw', 'jobs/s: ours vs raw BullMQ', { target: '≥ 0.952× (within 1.05×)', pass: (r) => r >= TARGET });
  compare('raw-config', 'raw', 'reference: BullMQ configured as ours configures it vs raw');
  compare('ours', 'raw-config', 'reference: ours vs BullMQ configured as ours configures it');
  compare('raw-opts', 'raw', "reference: raw with ours' producer connection options vs raw");
  compare('raw-loaded', 'raw', 'reference: raw in a process that loaded ours vs raw');
  compare('ours', 'raw-loaded', 'reference: ours vs raw in a process that loaded ours');
  compare('ours-noschema', 'raw', 'reference: ours without schemas vs raw');
  compare('ours', 'ours-noschema', 'reference: ours vs ours without schemas');
  compare('ours-copy', 'ours', 'reference: ours from a changed copy (BENCH_QUEUE_COPY) vs ours');
  compare('ours-copy', 'raw', 'reference: ours from a changed copy (BENCH_QUEUE_COPY) vs raw');
  compare('ours-copy2', 'ours', 'reference: ours from another changed copy (BENCH_QUEUE_COPY2) vs ours');
  return out;
}

const HEADER = ['comparison', 'workload', 'a', 'b', 'jobs/s a', 'jobs/s b', 'ratio', 'spread', 'target', ''];

/**
 * What splits the gap between ours and raw: measured apart from this run (separate runs of this
 * harness with the extra contenders, `--cpu-prof`, and src/queue/probe.mjs), on the code of
 * commit 524d98d with the working tree of packages/queue as it was on 2026-11-26.
 */
const FINDINGS = [
  '**What splits the gap** (measured apart, in runs of 8–12 interleaved rounds of the same harness: `--extras`, `--only=…`, `--cpu-prof`, and `src/queue/probe.mjs`; see README.md). Redis does the same work for both: the same commands per job (`probe.mjs commands`: 2 scripts per job, `addJob` and `moveToFinished`, 36 Redis calls with them, for raw, ours and raw-config alike) and the same Redis CPU per job (the table above); the client makes the same system calls per job too (`strace -c` of one contender adding 5 000 jobs with `add`: 2 writes, 2 reads and 2 `epoll_pwait` per job for raw, ours and raw-config alike; ours shows more heap traffic: `mmap`/`munmap` and the `futex` calls of the GC helper threads). The gap is in the CPU time of the client process, and its one pinned core also bounds jobs/s:',
  "- **BullMQ configured as ours configures it** (`raw-config`: none of ours' code) against raw: client CPU +1–8 %, jobs/s 0.92–1.03×. Its one visible cost is the producer's `commandTimeout: 2000` (`packages/queue/src/internal/connection.ts`, `openConnections`, line 31): ioredis arms and clears a timer for every command, in `addBulk` for every job of the pipeline (`Command#_clearTimers` and Node's timer list `insert`/`unenroll`: about 1.4 % of the client's CPU in a `--cpu-prof`).",
  "- **Ours' code on top of that** (ours against raw-config): client CPU +4–12 %, jobs/s 0.93–1.02×. In a `--cpu-prof`, ours' own functions (`add`, `addBulk`, `prepare`, `run`, `validateData`, the hooks) and zod's `parse` are about 2 % of the client's CPU; the rest of the difference is spread over GC, promise jobs (`runMicrotasks`) and BullMQ/ioredis functions doing the same work in both processes (`optsFromJSON`, `moveToFinished`, the `Job` constructor, ioredis' reply decoder: each 25–70 % more self time in ours' process than in raw-config's, for the same jobs). Without Redis (`probe.mjs layer`: BullMQ's Queue stubbed), ours' layer costs about 1 µs per job (`add` +0.5–1.2 µs, the worker's `run` +0.5–0.8 µs), far less than the measured gap of 12–65 µs per job: the instructions ours adds are not the gap by themselves; that its extra `async` steps (`add` → `prepare` → `validateData`; `run` → `validateData` → handler) split BullMQ's promise chains and add allocation is the likely mechanism, not proven.",
  "- **Not it**: the schema checks (`ours-noschema`, no `jobs`: within 1–2 % of ours), loading ours' TypeScript source and `@framework/core` (`raw-loaded`: raw in a process that imported `@framework/queue`: the same as raw), a larger young generation (`--max-semi-space-size=64` for every process: the same gap).",
  "- **A copy of packages/queue with every per-job extra removed** (`ours-copy`: no producer `commandTimeout`; one options object per queue instead of three objects per job and no `checkJobOptions`; no second schema check and no job view in the worker; `hooks.onComplete` called directly) ran at 0.97–0.99× of raw-config's jobs/s with +2–4 % client CPU (ours in the same run: 0.93–0.94×, +8–9 %; 12 rounds). That bounds what code changes in packages/queue can win here at about 5 % of jobs/s. Its two halves (add side, worker side) measured apart were each within noise (±5 %).",
].join('\n');

/** "Where the time goes": client CPU per job of ours against raw's, per workload, then the findings. */
function limits(data, verdicts) {
  const ours = data.rows.find((r) => r.name === 'ours' && r.available);
  const raw = data.rows.find((r) => r.name === 'raw' && r.available);
  if (!ours || !raw) return null;
  const lines = data.cells.map((cell) => {
    const v = verdicts.find((r) => r.cellId === cell.id && r.ours === 'ours' && r.peer === 'raw');
    const cpu = median(perRound(ours, raw, cell.id, 'cpuUsPerJob'));
    const redis = median(perRound(ours, raw, cell.id, 'redisUsPerJob'));
    const o = ours.summary[cell.id];
    const r = raw.summary[cell.id];
    return (
      `- ${cellLabel(cell)}: ${v?.ratio ?? 'n/a'} of raw's jobs/s${v?.pass === false ? ' (missed)' : ''}; ` +
      `client CPU per job ${us(o.cpuUsPerJob)} µs vs ${us(r.cpuUsPerJob)} µs (ours ÷ raw, median per round: ${x(cpu)})` +
      `${o.redisUsPerJob !== null && r.redisUsPerJob !== null ? `, Redis CPU per job ${us(o.redisUsPerJob)} µs vs ${us(r.redisUsPerJob)} µs (${x(redis)})` : ''}.`
    );
  });
  return [
    [
      `Ours against raw in this run, per workload (client CPU: the contender process's user + system time over the timed part, divided by N: it adds and processes, on one pinned core; Redis CPU: the server's, on the other core):`,
      ...lines,
    ].join('\n'),
    FINDINGS,
  ].join('\n\n');
}

export function renderQueueResults(data) {
  const parts = [];
  const o = data.options;
  const elapsed = `${Math.floor(data.elapsedSeconds / 60)} min ${Math.round(data.elapsedSeconds % 60)} s`;
  parts.push('# Queue benchmark results');
  parts.push(
    `Written by \`apps/bench/src/queue/run.mjs\` on ${data.date} (wall time ${elapsed}` +
      `${data.quiet?.waitedSeconds ? `, of which ${Math.round(data.quiet.waitedSeconds)} s waiting for a quiet machine` : ''}). ` +
      'How to read this: [README.md](README.md#queue-benchmark). Raw data: `.results/queue-*.json` (not committed).' +
      `${o.quick ? ' **Quick run: smoke test only, not for quoting.**' : ''}` +
      `${o.cpuProf ? ' **Run under `--cpu-prof`: the profiler slows every contender; not for quoting.**' : ''}`,
  );
  if ((data.interference && data.interference.median > 25) || data.quiet?.busy) {
    parts.push(
      `> **Busy machine.** ${data.quiet?.busy ? `The load average was ${data.quiet.load.toFixed(2)} when the run started (≥ 1.5 after waiting). ` : ''}` +
        `${data.interference ? `Other processes took a median ${data.interference.median.toFixed(0)} % of a core during the measurements. ` : ''}` +
        'The per-round ratios hold up better than the absolute figures, but run again on a quiet machine before quoting any number.',
    );
  }

  parts.push('## Machine and software');
  const m = data.machine;
  const r = data.redis;
  const software = [
    ['CPU', `${m.cpu}, ${m.cores} cores`],
    ['RAM', `${m.ramGiB.toFixed(1)} GiB`],
    ['OS', `${m.os}, Linux ${m.kernel}`],
    ['Node', data.node],
    [
      'Redis',
      `${r.version} (${r.ours ? 'throwaway server from `@framework/test-services`, loopback' : 'the server of REDIS_URL'}; appendonly ${r.config?.appendonly}, save '${r.config?.save}', maxmemory-policy ${r.config?.['maxmemory-policy']})`,
    ],
    [
      'repository',
      data.git
        ? `commit ${data.git.commit}${data.queueChanges?.length ? `; uncommitted changes in ${data.queueChanges.map((f) => `\`${f.replace('packages/queue/', '')}\``).join(', ')} of packages/queue (measured as they were)` : ''}`
        : 'n/a',
    ],
    ['load average before the run', data.loadBefore.map((l) => l.toFixed(2)).join(', ')],
    ...Object.entries(data.packages),
  ];
  parts.push(table(['', ''], software));

  parts.push('## Method');
  const jobsList = data.cells.map((c) => `${int(c.jobs)} (${c.id})`).join(', ');
  parts.push(
    [
      `- Each contender runs alone in its own Node process (\`src/queue/worker.mjs\`)${data.pinned ? ' pinned to core 0; Redis and the harness are pinned to core 1' : ', unpinned (no taskset or one core)'}. The process both adds the jobs and runs the worker that processes them, as an app with an in-process worker does: jobs/s is bounded by that one core (the producer and the worker share it), by Redis' core, and by the round trips.`,
      `- **A measurement** of one contender on one workload: a fresh queue name, a new queue and worker (new connections), one primer job added and completed (connections up, the worker waiting for jobs); then N jobs \`{ n: i }\` in ${o.slices} slice(s) of N / ${o.slices}, each slice timed from its first add to its last completion: the jobs are added (**addBulk**: \`addBulk\` of 500 jobs, awaited, then the next 500; **add**: \`await add()\` for each job, one after another) while the worker processes them at concurrency 1 or 16, and the completions are counted in the contender's process (BullMQ's \`completed\` event on the Worker for raw, \`hooks.onComplete\` for ours). jobs/s = N ÷ the summed slice times. The contenders' slices alternate (A B, B A, …: each one's queue waits, idle, while the other runs a slice), so that the drift of a shared machine lands on all of them alike. Then the queue is obliterated and everything closed, off the clock. N is the same for every contender: sized from the warm-up so that one measurement takes about ${o.seconds} s (${o.jobs ? `fixed by --jobs: ${o.jobs}` : jobsList}).`,
      `- **Check first.** Before measuring, each contender runs 20 jobs (10 with \`add\`, 10 with \`addBulk\`, concurrency 4): each must complete exactly once with its data, Redis must count 20 completed, and the jobs read back through BullMQ's own \`Queue#getJob\` must carry the result \`{ ok: true }\`, \`attempts: 3\`, a backoff and \`removeOnComplete: { count: 1000 }\` (ours must also reject \`{ n: 'not a number' }\`). One that cannot load or answers wrong is listed and not measured.`,
      `- **Rounds.** Warm-up first: ${int(o.warmupJobs)} jobs per contender and workload, measured the same way in 4 slices (the rate of the last two sizes N). Then ${o.rounds} interleaved round(s): workload by workload, every contender measured (slices alternating), the first contender alternating each round. Tables give the median over the rounds with the min–max range. A **ratio is the median of the per-round ratios** (two measurements seconds apart, so the slow drift of a shared machine cancels out); its "spread" is their min–max: when it straddles the target, the verdict is within noise. A block (one workload, every contender) during which other processes took more than 25 % of a core is redone once (${o.retries} redos per run at most).`,
    ].join('\n'),
  );
  parts.push('### Contenders');
  parts.push(
    table(
      ['contender', 'what it runs'],
      data.rows.map((row) => [`${row.name}${row.extra ? ' (extra)' : ''}`, row.label]),
    ),
  );
  parts.push(
    "Both do the same work in Redis: BullMQ's `addJob` script per job (`addBulk` sends them in one pipeline), a `moveToFinished` per job with the result stored, the last 1 000 completed jobs kept, 3 attempts with a backoff on failure (none fails here). Ours adds, per job: `checkJobOptions` and a schema check of the data before it is sent (`validateData`: the schema's `~standard.validate`, here zod), three new option objects, a second schema check in the worker before the handler (`run`), a job view for the handler and another for `onComplete` (`toJob`), and its jobs carry `backoff: { type: 'framework' }` (a `backoffStrategy` in the worker's settings, run only on a retry). Its producer connection has a 2 s `commandTimeout` (ioredis arms a timer per command) and no offline queue.",
  );

  const verdicts = queueVerdicts(data);
  const notes = data.rows.filter((row) => !row.available).map((row) => `- **${row.name}**: ${row.reason}`);
  if (notes.length > 0) parts.push('## Not measured', notes.join('\n'));

  parts.push('## Targets');
  parts.push('Jobs per second, added and processed (ours ÷ raw; higher is better):');
  parts.push(verdictTable(verdicts, HEADER, 'cell'));
  parts.push(
    'Target (issue): ours within 1.05× of raw BullMQ, i.e. ours\' jobs/s ÷ raw\'s ≥ 1/1.05 = 0.952, for each workload and concurrency. The "reference" rows have no target: they show where the time goes. Values are medians over the rounds; the ratio is the median of the per-round ratios, so it can differ from a ÷ b.',
  );
  parts.push(verdictSummary(verdicts));
  const limited = limits(data, verdicts);
  if (limited) {
    parts.push('### Where the time goes');
    parts.push(limited);
  }

  parts.push('## Throughput');
  const live = data.rows.filter((row) => row.available);
  parts.push(
    'Median over the rounds (min–max). "time" is the timed part (first add to N-th completion); "adding" is how long the adds took (the worker was processing meanwhile); CPU per job is the contender process\'s (adding and processing) and the Redis server\'s.',
  );
  parts.push(
    table(
      ['workload', 'contender', 'N', 'jobs/s', 'time (s)', 'adding (s)', 'client CPU µs/job', 'Redis CPU µs/job'],
      data.cells.flatMap((cell) =>
        live.map((row) => {
          const s = row.summary[cell.id];
          return [
            cellLabel(cell),
            `${row.name}${row.extra ? ' (extra)' : ''}`,
            int(s.n),
            `${int(s.jobsPerSec)} (${int(s.min)}–${int(s.max)})`,
            sec(s.ms),
            sec(s.addMs),
            us(s.cpuUsPerJob),
            us(s.redisUsPerJob),
          ];
        }),
      ),
      [null, null, 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );

  const main = verdicts.filter((v) => v.ours === 'ours' && v.peer === 'raw' && v.ratios);
  if (main.length > 0) {
    const rounds = Math.max(...main.map((v) => v.ratios.length));
    parts.push('### Per round: ours ÷ raw');
    parts.push(
      table(
        ['workload', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`), 'median'],
        main.map((v) => [
          v.cell,
          ...Array.from({ length: rounds }, (_, i) => (v.ratios[i] === undefined ? '' : v.ratios[i].toFixed(3))),
          x(v.ratioValue),
        ]),
        [null, ...Array.from({ length: rounds }, () => 'r'), 'r'],
      ),
    );
  }

  parts.push('## Memory of the processes');
  parts.push(
    table(
      ['contender', 'RSS after the run (MiB)'],
      live.map((row) => [row.name, row.rssKb ? (row.rssKb / 1024).toFixed(1) : 'n/a']),
      [null, 'r'],
    ),
  );

  parts.push('## Interference from other processes');
  const i = data.interference;
  parts.push(
    `Load average before the run: ${data.loadBefore.map((l) => l.toFixed(2)).join(', ')}${data.quiet?.waitedSeconds ? ` (after waiting ${Math.round(data.quiet.waitedSeconds)} s for it to drop below 1.5)` : ''}. ` +
      (i
        ? `CPU time used on the two cores by anything other than the contenders, Redis and the harness, as a share of one core, per block (one workload, every contender, one round; a lower bound: the loopback traffic's kernel time charged to the contenders can hide others' time): median ${i.median.toFixed(0)} %, max ${i.max.toFixed(0)} %; ${i.above10} of ${i.measurements} above 10 %. ${i.redos} block(s) were redone because others took more than 25 % of a core (the less disturbed one is kept).`
        : 'Not measured (the Redis of REDIS_URL is not ours: its CPU time cannot be told apart from other processes).'),
  );
  const logs = live.filter((row) => row.logs?.length);
  if (logs.length > 0)
    parts.push(
      `Lines the contenders wrote on stderr: ${logs.map((row) => `${row.name}: \`${row.logs.at(-1)}\``).join('; ')}.`,
    );
  return `${parts.join('\n\n')}\n`;
}
