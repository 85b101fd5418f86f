#!/usr/bin/env node
// The cost of one `jose` verify, measured alone: `jwtVerify(token, secret, { algorithms: ['HS256'] })`
// on the token the benchmark sends, in a tight loop. Run by the harness in a process of its own,
// pinned to the servers' core, while every server is idle; prints one JSON line.
//
//   node src/auth/verify-cost.mjs <token> [--seconds=1]
//
// The key is the secret's bytes (`Uint8Array`), as jose's documentation writes it for HS256 and as
// @framework/auth passes it. Figures: `sequentialUs`, one verify awaited after the other (wall time
// per verify), and `cpuUs`, the process's CPU time per verify in that loop (every thread: WebCrypto
// runs the HMAC on libuv's pool), which the target's ceiling uses: on an idle core the two are equal,
// on a shared one the wall time also counts the waits for the core; `inFlightUs` / `inFlightCpuUs`,
// 50 verifies started together again and again; `cryptoKeyUs` / `cryptoKeyCpuUs`, sequential again
// with a `CryptoKey` imported once (jose then
// skips importing the secret on every verify), the cheapest way to call it.
import { jwtVerify } from 'jose';
import { JWT_SECRET } from './common.mjs';

const token = process.argv[2];
const seconds = Number(/--seconds=([\d.]+)/.exec(process.argv.slice(3).join(' '))?.[1] ?? 1);
if (!token || !(seconds > 0)) {
  process.stderr.write('usage: node src/auth/verify-cost.mjs <token> [--seconds=1]\n');
  process.exit(2);
}
const key = new TextEncoder().encode(JWT_SECRET);
const options = { algorithms: ['HS256'] };
const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
let verify = () => jwtVerify(token, key, options);

// Checks the token verifies at all (a measurement of failures would be meaningless).
const { payload } = await verify();
if (typeof payload.sub !== 'string') throw new Error('the token has no sub');

const BATCH = 50;
async function sequential(ms) {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(ms * 1e6));
  let now = t0;
  while (now < end) {
    for (let i = 0; i < 256; i++) await verify();
    n += 256;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  return { n, us: Number(now - t0) / 1000 / n, cpuUs: (cpu.user + cpu.system) / n };
}
async function inFlight(ms) {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(ms * 1e6));
  let now = t0;
  const batch = new Array(BATCH);
  while (now < end) {
    for (let r = 0; r < 8; r++) {
      for (let i = 0; i < BATCH; i++) batch[i] = verify();
      await Promise.all(batch);
    }
    n += 8 * BATCH;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  return { n, us: Number(now - t0) / 1000 / n, cpuUs: (cpu.user + cpu.system) / n };
}

// Warm-up: the JIT and jose's key import cache settle before the clock starts.
await sequential(300);
await inFlight(200);
const seq = await sequential(seconds * 1000);
const par = await inFlight(seconds * 1000);
verify = () => jwtVerify(token, cryptoKey, options);
await verify();
await sequential(200);
const imported = await sequential(seconds * 1000);
process.stdout.write(
  `${JSON.stringify({
    sequentialUs: seq.us,
    cpuUs: seq.cpuUs,
    inFlightUs: par.us,
    inFlightCpuUs: par.cpuUs,
    cryptoKeyUs: imported.us,
    cryptoKeyCpuUs: imported.cpuUs,
    verifies: seq.n + par.n + imported.n,
  })}\n`,
);
