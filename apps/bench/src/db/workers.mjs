// The harness's side of a contender process (src/db/worker.mjs): start it pinned, talk to it over
// IPC one request at a time, read its CPU time and memory, stop it by PID.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processTicks } from '../lib/cpu.mjs';
import { rssKb, spawnTracked, stopChild, tail, waitExit } from '../lib/proc.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Starts the contender `name` on `url`; resolves when it is ready or has said why it cannot run. */
export async function startWorker(name, url, { pin, cpu = 0, readyTimeoutMs = 60_000 } = {}) {
  const args = [WORKER, name];
  const command = pin ? 'taskset' : process.execPath;
  const argv = pin ? ['-c', String(cpu), process.execPath, ...args] : args;
  const child = spawnTracked(`db:${name}`, command, argv, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, BENCH_DB_URL: url, NODE_ENV: 'production' },
  });
  const stderr = tail(child.stderr);
  tail(child.stdout);
  const waiting = [];
  child.on('message', (message) => waiting.shift()?.(message));
  child.once('exit', (code, signal) => {
    const lines = stderr().trim().split('\n').filter(Boolean);
    const why = lines.find((l) => /Error|error:/.test(l)) ?? lines.at(-1) ?? '';
    const message = { type: 'exit', reason: `exited (${code ?? signal})${why ? `: ${why.trim().slice(0, 300)}` : ''}` };
    for (const resolve of waiting.splice(0)) resolve(message);
  });
  const request = (message, timeoutMs) =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve({ type: 'exit', reason: `exited (${child.exitCode ?? child.signalCode})` });
        return;
      }
      const entry = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(entry), 1);
        resolve({ type: 'timeout', reason: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      waiting.push(entry);
      if (message) child.send(message);
    });
  const ready = await request(null, readyTimeoutMs);
  return {
    name,
    child,
    ready,
    request,
    ticks: () => processTicks(child.pid),
    rssKb: () => rssKb(child.pid),
    async close() {
      if (child.connected) {
        await request({ type: 'close' }, 10_000);
        await waitExit(child, 3000);
      }
      await stopChild(child, 2000);
    },
  };
}

/** CPU ticks of a PostgreSQL server: the postmaster and every process it forked (backends, workers). */
export function serverTicks(postmasterPid) {
  if (!postmasterPid) return null;
  let total = 0;
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (Number(entry) === postmasterPid || ppid === postmasterPid) total += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return total;
}
