// Child processes: every server and load generator the harness starts is tracked by PID and
// stopped by PID — at the end, on Ctrl-C, on SIGTERM/SIGHUP, and on an uncaught error.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const live = new Map(); // pid -> label

/** Spawns `command` and tracks it until it exits. */
export function spawnTracked(label, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  if (child.pid !== undefined) {
    live.set(child.pid, label);
    child.once('exit', () => live.delete(child.pid));
  }
  return child;
}

/** The processes still running, as `label (pid)`. */
export function liveProcesses() {
  return [...live].map(([pid, label]) => `${label} (pid ${pid})`);
}

function signalAll(signal) {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, signal);
    } catch {
      live.delete(pid);
    }
  }
}

/** Stops every tracked process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(graceMs = 3000) {
  signalAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.size > 0 && Date.now() < deadline) await sleep(50);
  signalAll('SIGKILL');
}

let installed = false;
/** Stops every tracked process when the harness is interrupted or fails. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  let interrupted = false;
  const interrupt = (signal) => {
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping ${live.size} process(es): ${liveProcesses().join(', ')}\n`);
    signalAll('SIGTERM');
    setTimeout(() => {
      signalAll('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, 1500).unref();
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));
  process.once('SIGHUP', () => interrupt('SIGHUP'));
  process.on('uncaughtException', (error) => {
    if (interrupted) return; // a child we just stopped failing its run: expected
    process.stderr.write(`\nfatal: ${error?.stack ?? error}\n`);
    signalAll('SIGKILL');
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    if (interrupted) return;
    process.stderr.write(`\nfatal: ${error?.stack ?? error}\n`);
    signalAll('SIGKILL');
    process.exit(1);
  });
  // Last resort: whatever is still tracked when the harness exits is killed (synchronously).
  process.on('exit', () => signalAll('SIGKILL'));
}

/** Waits for `child` to exit, up to `ms`; resolves true when it did. */
export function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after `graceMs`. Always by PID. */
export async function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitExit(child, graceMs)) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {}
  await waitExit(child, 2000);
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of `pid` in KiB (VmRSS), or null when the process is gone. */
export function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the last `max` characters written to a stream. */
export function tail(stream, max = 4000) {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    text = (text + chunk).slice(-max);
  });
  return () => text;
}
