// RESULTS-db.md: the method, the targets, operations per second and milliseconds per operation.
import { int, median, NA, table, verdictSummary, verdictTable, x } from '../lib/markdown.mjs';
import { BULK_ROWS, INSERTS_PER_TRUNCATE, JOIN_LIMIT, JOIN_MIN_AGE, POSTS, USERS } from './schema.mjs';

const ms = (n) => (n === null || n === undefined ? 'n/a' : n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1));
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
 * The comparisons: ours within 1.10× of plain drizzle's time per operation, and at least 2× the
 * speed of TypeORM and Sequelize; plus references without a target that show what is reachable.
 */
export function dbVerdicts(data) {
  const find = (name) => data.rows.find((r) => r.name === name);
  const out = [];
  const compare = (aName, bName, what, { invert = false, target = null, pass = null } = {}) => {
    const a = find(aName);
    const b = find(bName);
    for (const workload of data.workloads) {
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
        oursValue: invert ? `${ms(sa.meanMs)} ms` : int(sa.opsPerSec),
        peerValue: invert ? `${ms(sb.meanMs)} ms` : int(sb.opsPerSec),
        ratio: x(ratio),
        spread: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
        pass: pass ? pass(ratio) : null,
      });
    }
  };
  compare('ours', 'drizzle', 'time per op vs plain drizzle', {
    invert: true,
    target: '≤ 1.10×',
    pass: (r) => r <= 1.1,
  });
  compare('ours', 'typeorm', 'ops/s vs TypeORM', { target: '≥ 2.00×', pass: (r) => r >= 2 });
  compare('ours', 'sequelize', 'ops/s vs Sequelize', { target: '≥ 2.00×', pass: (r) => r >= 2 });
  compare('raw', 'drizzle', 'reference: raw postgres.js ops/s vs drizzle');
  compare('drizzle', 'typeorm', 'reference: drizzle ops/s vs TypeORM');
  compare('drizzle', 'sequelize', 'reference: drizzle ops/s vs Sequelize');
  return out;
}

export function renderDbResults(data) {
  const parts = [];
  const o = data.options;
  const elapsed = `${Math.floor(data.elapsedSeconds / 60)} min ${Math.round(data.elapsedSeconds % 60)} s`;
  parts.push('# Database benchmark results');
  parts.push(
    `Written by \`apps/bench/src/db/run.mjs\` on ${data.date} (wall time ${elapsed}; seeding ${data.seedSeconds.toFixed(1)} s, ` +
      `measurements ${Math.round(data.measureSeconds)} s). How to read this: [README.md](README.md#database-benchmark). ` +
      `Raw data: \`.results/db-*.json\` (not committed).${o.quick ? ' **Quick run: smoke test only, not for quoting.**' : ''}`,
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
      'PostgreSQL',
      `${data.postgres.version} (${data.postgres.ours ? 'throwaway server from `@framework/test-services`: fsync off, loopback' : 'the server of DATABASE_URL'})`,
    ],
    ['repository', data.git ? `commit ${data.git.commit}` : 'n/a'],
    ...Object.entries(data.packages),
  ];
  parts.push(table(['', ''], software));

  parts.push('## Method');
  parts.push(
    [
      `- One PostgreSQL, one fresh database for the run (created at the start, dropped at the end). Tables \`users\` (id serial pk, email unique, name, age) with ${int(USERS)} rows and \`posts\` (id serial pk, user_id → users with an index, title, published, created_at) with ${int(POSTS)} rows, seeded once, then \`vacuum analyze\`. \`bulk_users\` has the shape of \`users\` and takes the inserts.`,
      `- Workloads: **select by primary key** — one user by a random id (the same seeded ids for every contender in a round); **join + filter** — posts with their author's name, \`published = true and users.age > ${JOIN_MIN_AGE}\`, \`order by posts.id limit ${JOIN_LIMIT}\`; **bulk insert** — ${int(BULK_ROWS)} users in one statement. The bulk table is truncated before each measurement and after every ${INSERTS_PER_TRUNCATE} inserts, outside the timed region, so it never holds more than ${int(BULK_ROWS * INSERTS_PER_TRUNCATE)} rows.`,
      `- Each contender runs in its own Node process (\`src/db/worker.mjs\`)${data.pinned ? ' pinned to core 0; PostgreSQL and the harness are pinned to core 1' : ', unpinned (no taskset or one core)'}. Separate processes keep one library's JIT state, heap and GC out of another's numbers. Operations run one at a time (each awaited before the next): this measures the cost per query, not throughput under concurrency.`,
      '- Before measuring, each contender must give the same answers as plain SQL: the same user (or null) for six ids, the same 50 joined rows in the same order, and exactly the 1 000 rows inserted. One that cannot load, whose first calls throw, or that answers differently is listed below and not measured.',
      `- Warm-up: ${o.warmup} s of each workload per contender. Then ${o.rounds} interleaved round(s): each round measures workload by workload, every contender in turn (ours next to drizzle), direction alternating each round; a measurement is ${o.duration} s of timed operations. ops/s = operations ÷ time spent inside them.`,
      '- Tables give the median over the rounds with the min–max range. A ratio is the median of the per-round ratios (two measurements seconds apart, so slow drift of the machine cancels out); "spread" is their min–max.',
      '- Each contender uses its documented idiomatic API with default settings (pools, statement preparation): raw postgres.js tagged templates; drizzle `db.select().from(users).where(eq(users.id, id))`, `select({...}).from(posts).innerJoin(users, ...)`, `db.insert(bulkUsers).values(rows)`; TypeORM `repository.findOneBy({ id })`, a QueryBuilder `innerJoin` + `select` + `getMany()` (entities, one statement), `repository.insert(rows)`; Sequelize `findByPk(id)`, `findAll({ include: author, ... })` (model instances), `bulkCreate(rows)`; ours `db.users.find(id)`, `db.posts.select(...).join(...).where(...).orderBy(...).limit(50)`, `db.bulkUsers.insert(rows)`.',
      "- Statement preparation, each library's default: raw postgres.js prepares every tagged-template statement once per connection; drizzle on postgres.js sends unprepared statements unless a query is `.prepare()`d by name; TypeORM and Sequelize go through `pg` (unnamed statements), and Sequelize inlines the values into the SQL text.",
      '- What comes back differs by design on the insert: raw postgres.js and drizzle return no rows, TypeORM returns the generated ids (`RETURNING "id"`), Sequelize and ours return the inserted rows (`RETURNING` every column).',
    ].join('\n'),
  );

  parts.push('## Targets');
  const v = dbVerdicts(data);
  parts.push(
    verdictTable(
      v,
      ['comparison', 'workload', 'a', 'b', 'value a', 'value b', 'ratio', 'spread', 'target', ''],
      'workload',
    ),
  );
  parts.push(
    'Targets: ours within 1.10× of plain drizzle (time per operation, ours ÷ drizzle ≤ 1.10) and at ' +
      'least 2× as fast as TypeORM and Sequelize (ops/s, ours ÷ theirs ≥ 2.00), on each workload. The "reference" rows have ' +
      'no target: they show what is reachable on this machine. Values are medians over the rounds; the ratio is the median ' +
      'of the per-round ratios, so it can differ from a ÷ b.',
  );
  parts.push(verdictSummary(v));

  parts.push('## Operations per second (higher is better)');
  const available = data.rows.filter((r) => r.available);
  parts.push(
    table(
      ['contender', ...data.workloads.map((w) => w.label)],
      data.rows.map((r) => [
        r.name,
        ...data.workloads.map((w) => {
          const s = r.summary[w.id];
          return s ? `${int(s.opsPerSec)} (${int(s.min)}–${int(s.max)})` : 'n/a';
        }),
      ]),
      [null, ...data.workloads.map(() => 'r')],
    ),
  );

  parts.push('## Milliseconds per operation (lower is better)');
  parts.push(
    'Mean / p50 / p99 of the operations of a measurement, median over the rounds. The last rows are the figures the product design ' +
      'claims (machine unknown): compare ratios, not absolute times.',
  );
  parts.push(
    table(
      ['contender', ...data.workloads.map((w) => w.label)],
      [
        ...available.map((r) => [
          r.name,
          ...data.workloads.map((w) => {
            const s = r.summary[w.id];
            return `${ms(s.meanMs)} / ${ms(s.p50Ms)} / ${ms(s.p99Ms)}`;
          }),
        ]),
        ...['ours', 'typeorm', 'sequelize'].map((name) => [
          `published claim: ${name === 'ours' ? 'this framework' : name === 'typeorm' ? 'TypeORM' : 'Sequelize'}`,
          ...data.workloads.map((w) => `${w.spec[name]}`),
        ]),
      ],
      [null, ...data.workloads.map(() => 'r')],
    ),
  );

  parts.push('## Memory');
  parts.push(
    table(
      ['contender', 'RSS after the run (MiB)'],
      available.map((r) => [r.name, r.rssKb ? (r.rssKb / 1024).toFixed(1) : 'n/a']),
      [null, 'r'],
    ),
  );
  parts.push('`VmRSS` of each contender process after its last measurement: Node itself, the library, its pool.');

  const notes = data.rows.filter((r) => !r.available).map((r) => `- **${r.name}**: ${r.reason}`);
  if (notes.length > 0) {
    parts.splice(parts.indexOf('## Targets'), 0, '## Not measured', notes.join('\n'));
  }
  parts.push('## Interference from other processes');
  const i = data.interference;
  parts.push(
    `Load average before the run: ${data.loadBefore.map((l) => l.toFixed(2)).join(', ')}. ` +
      (i
        ? `CPU time used on the two cores by anything other than the contender, PostgreSQL and the harness, as a share of one core, per measurement: median ${i.median.toFixed(0)} %, max ${i.max.toFixed(0)} %; ${i.above10} of ${i.measurements} above 10 %. ${i.redos} measurement(s) were redone because others took more than 25 % of a core (the less disturbed result is kept).`
        : 'Not measured (PostgreSQL is not ours: its CPU time cannot be told apart from other processes).'),
  );
  return `${parts.join('\n\n')}\n`;
}
