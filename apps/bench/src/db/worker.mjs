// One contender in its own process, driven by the harness (src/db/run.mjs) over IPC:
//   node src/db/worker.mjs <contender>     (BENCH_DB_URL: the benchmark database)
// It opens the contender, answers the correctness check, then runs timed measurements on request.
// Each operation is awaited before the next (one connection busy at a time): latency, not
// concurrency. Only the operation itself is inside the timed region; truncating the bulk table is not.
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { BULK_ROWS, bulkBatches, CHECK_USER_IDS, INSERTS_PER_TRUNCATE, prng, USERS } from './schema.mjs';

const name = process.argv[2];
const url = process.env.BENCH_DB_URL;
const send = (message) => process.send?.(message);
/** Sends a last message and exits once it is written (process.exit right after send could drop it). */
const sendAndExit = (message) => (process.send ? process.send(message, () => process.exit(0)) : process.exit(0));
const errorText = (error) =>
  String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 300);

// The harness going away (even by kill -9) closes the IPC channel: nothing is left behind.
process.on('disconnect', () => process.exit(0));

/** The harness's own connection for untimed chores (truncating the bulk table, counting rows). */
const admin = postgres(url, { max: 1, onnotice: () => {} });
const batches = bulkBatches();
let contender;

try {
  const module = await import(`./contenders/${name}.mjs`);
  contender = await module.open(url);
} catch (error) {
  await admin.end({ timeout: 1 });
  sendAndExit({ type: 'unavailable', reason: `cannot load: ${errorText(error)}` });
  await new Promise(() => {}); // exits in sendAndExit's callback
}
send({ type: 'ready', pid: process.pid });

/** What the contender answers for the check inputs, as plain data; throws when a call throws. */
async function check() {
  const users = {};
  for (const id of CHECK_USER_IDS) users[id] = contender.plainUser(await contender.findUser(id));
  const join = contender.plainJoin(await contender.joinPosts());
  await admin`truncate bulk_users restart identity`;
  await contender.insertUsers(batches[0]);
  const [{ count, matching }] = await admin`
    select count(*)::int as count,
           count(*) filter (where email like 'bulk%@example.com')::int as matching
    from bulk_users`;
  const emails = await admin`select email, name, age from bulk_users order by email`;
  const expected = [...batches[0]].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  const same = emails.length === expected.length && emails.every((row, i) => sameRow(row, expected[i]));
  await admin`truncate bulk_users restart identity`;
  return { users, join, insert: { count, matching, same, expected: BULK_ROWS } };
}

const sameRow = (a, b) => a.email === b.email && a.name === b.name && a.age === b.age;

/** Runs `workload` for `seconds` of timed operations (at least `minOps`); returns counts and latencies. */
async function measure({ workload, seconds, seed, minOps = 3 }) {
  const budget = seconds * 1000;
  const wallLimit = performance.now() + budget * 4 + 5000;
  const latencies = [];
  let timed = 0;
  const next = prng(seed);
  let op;
  if (workload === 'find') op = () => contender.findUser(1 + Math.floor(next() * USERS));
  else if (workload === 'join') op = () => contender.joinPosts();
  else if (workload === 'insert') {
    await admin`truncate bulk_users restart identity`;
    let i = 0;
    op = () => contender.insertUsers(batches[i++ % INSERTS_PER_TRUNCATE]);
  } else throw new Error(`unknown workload ${workload}`);
  while ((timed < budget || latencies.length < minOps) && performance.now() < wallLimit) {
    if (workload === 'insert' && latencies.length > 0 && latencies.length % INSERTS_PER_TRUNCATE === 0) {
      await admin`truncate bulk_users restart identity`;
    }
    const start = performance.now();
    await op();
    const took = performance.now() - start;
    timed += took;
    latencies.push(took);
  }
  if (workload === 'insert') await admin`truncate bulk_users restart identity`;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    ops: latencies.length,
    timedMs: timed,
    opsPerSec: (latencies.length / timed) * 1000,
    meanMs: timed / latencies.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

process.on('message', async (message) => {
  try {
    if (message.type === 'check') send({ type: 'checked', answers: await check() });
    else if (message.type === 'measure') send({ type: 'measured', result: await measure(message) });
    else if (message.type === 'close') {
      await Promise.race([contender.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      await admin.end({ timeout: 2 });
      sendAndExit({ type: 'closed' });
    }
  } catch (error) {
    send({ type: 'error', reason: errorText(error) });
  }
});
