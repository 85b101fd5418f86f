// The harness's side of a contender process for the cache and queue benchmarks: start it pinned,
// talk to it over IPC one request at a time, read its CPU time and memory, stop it by PID.
import { processTicks } from './cpu.mjs';
import { rssKb, spawnTracked, stopChild, tail, waitExit } from './proc.mjs';

/**
 * Starts `script` for the contender `name` (labelled `label` in the process list) with `env` added;
 * resolves when it is ready or has said why it cannot run. `cpuProfDir`: run it under
 * `--cpu-prof`, the profile written there when it exits.
 */
export async function startContender(
  script,
  label,
  name,
  { env = {}, pin, cpu = 0, cpuProfDir = null, readyTimeoutMs = 30_000 } = {},
) {
  const nodeArgs = cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`, script, name]
    : [script, name];
  const command = pin ? 'taskset' : process.execPath;
  const argv = pin ? ['-c', String(cpu), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawnTracked(`${label}:${name}`, command, argv, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env, NODE_ENV: 'production' },
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
    /** The worker's stderr so far (the packages log their warnings there). */
    stderr,
    ticks: () => processTicks(child.pid),
    rssKb: () => rssKb(child.pid),
    async close() {
      if (child.connected) {
        await request({ type: 'close' }, 10_000);
        await waitExit(child, 5000);
      }
      await stopChild(child, 2000);
    },
  };
}
