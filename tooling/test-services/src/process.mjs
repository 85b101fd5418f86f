// Child processes, ports, temp dirs and locks shared by the PostgreSQL and Redis starters.
import { spawn } from 'node:child_process';
import { accessSync, chownSync, constants, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const DIR_PREFIX = 'test-services-';
const OUTPUT_LIMIT = 16 * 1024;

/**
 * @typedef {{ uid: number, gid: number }} User
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, error?: Error }} Exit
 * @typedef {{
 *   child: import('node:child_process').ChildProcess,
 *   exited: Promise<Exit>,
 *   output(): string,
 * }} Launched
 * @typedef {{ dir: string, launched: Launched | undefined }} ServerDir a server's temp dir and, once
 *   started, its process: what stop() and the exit hook clean up
 */

export class PortInUseError extends Error {}

/** @param {string} file */
export function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** @param {string} name */
export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export const isRoot = () => process.getuid?.() === 0;

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by an init that does not reap, as in some containers) counts as dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** A port that was free a moment ago; the caller retries if a parallel run takes it first. */
export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolvePort, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolvePort(port));
      });
    })
  );
}

/**
 * Calls `launch` with fresh ports until one is not taken by someone else in the meantime.
 * @template T
 * @param {(port: number) => Promise<T>} launch
 * @param {() => Promise<number>} [pickPort]
 */
export async function withFreePort(launch, pickPort = freePort, attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await pickPort());
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= attempts) throw error;
    }
  }
}

// Linux's parent-death signal (through util-linux's setpriv) stops a server even when this process is
// SIGKILLed, or when the vitest worker that started it goes away without calling stop().
const setpriv = process.platform === 'linux' ? findOnPath('setpriv') : undefined;

/**
 * Spawns `file` in its own process group (so a Ctrl-C in the terminal reaches the test command, which
 * gets to finish, and not the servers it uses) with its output collected (the last 16 KiB).
 * @param {string} file
 * @param {string[]} args
 * @param {{ cwd: string, user?: User, deathSignal?: NodeJS.Signals, env?: NodeJS.ProcessEnv }} options
 *   deathSignal: sent to the process when this one dies (Linux only)
 * @returns {Launched}
 */
export function launch(file, args, { cwd, user, deathSignal, env = process.env }) {
  const [command, argv] =
    setpriv && deathSignal ? [setpriv, ['--pdeathsig', deathSignal, '--', file, ...args]] : [file, args];
  const child = spawn(command, argv, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  let output = '';
  /** @param {string} chunk */
  const collect = (chunk) => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  /** @type {Promise<Exit>} */
  const exited = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
    child.on('error', (error) => resolveExit({ code: null, signal: null, error }));
  });
  return { child, exited, output: () => output };
}

/**
 * Runs a command to completion.
 * @param {string} file
 * @param {string[]} args
 * @param {{ cwd?: string, user?: User, env?: NodeJS.ProcessEnv }} [options]
 */
export async function run(file, args, { cwd = process.cwd(), user, env } = {}) {
  const launched = launch(file, args, { cwd, user, env });
  const exit = await launched.exited;
  return { ...exit, output: launched.output() };
}

/**
 * The last lines of a process's output, indented, for an error message.
 * @param {string} output
 */
export function tail(output, lines = 30) {
  const text = output.trimEnd().split('\n').slice(-lines).join('\n    ');
  return text ? `\n    ${text}` : ' (no output)';
}

/** @param {Exit} exit */
export function describeExit(exit) {
  if (exit.error) return `could not be started: ${exit.error.message}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Polls `isReady` until it returns true; fails early when the process exits, and with PortInUseError
 * when it exited because its port was taken.
 * @param {string} name
 * @param {Launched} launched
 * @param {() => Promise<boolean> | boolean} isReady
 * @param {number} timeoutMs
 */
export async function waitUntilReady(name, launched, isReady, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exit = /** @type {Exit | undefined} */ (undefined);
  launched.exited.then((value) => {
    exit = value;
  });
  for (;;) {
    if (exit) {
      const output = launched.output();
      const message = `${name} ${describeExit(exit)} during startup. Its output:${tail(output)}`;
      throw /address already in use/i.test(output) ? new PortInUseError(message) : new Error(message);
    }
    if (await isReady()) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${name} did not become ready within ${timeoutMs / 1000}s. Its output:${tail(launched.output())}`,
      );
    }
    await Promise.race([sleep(25), launched.exited]);
  }
}

/**
 * Kills a process group; the group outlives its leader when the leader was SIGKILLed.
 * @param {number | undefined} pid
 * @param {NodeJS.Signals} signal
 */
function killGroup(pid, signal) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Whether a process group still has a live member. Zombies (dead, not yet reaped: members whose
 * leader died are reparented to an init that may not reap them) answer kill(0) but are gone.
 * @param {number} pgid
 */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') return true;
    } catch {
      // Exited while we looked.
    }
  }
  return false;
}

/** @type {Set<ServerDir>} */
const serverDirs = new Set();

// Last resort when the process exits without stop() (a crash, process.exit() in a test): nothing async
// runs any more, so kill outright and delete synchronously.
process.on('exit', () => {
  for (const server of serverDirs) {
    killGroup(server.launched?.child.pid, 'SIGKILL');
    rmSync(server.dir, { recursive: true, force: true, maxRetries: 3 });
  }
});

/**
 * Lets a started server run without keeping this process alive: a forgotten stop() must not hang a
 * test run; the exit hook and the death signal clean up instead.
 * @param {Launched} launched
 */
export function unref({ child }) {
  child.unref();
  for (const stream of [child.stdout, child.stderr]) {
    /** @type {{ unref?: () => void } | null} */ (stream)?.unref?.();
  }
}

/**
 * Stops a process with `signal` and SIGKILLs its process group after `timeoutMs`.
 * @param {Launched} launched
 * @param {NodeJS.Signals} signal
 */
export async function stopProcess({ child, exited }, signal, timeoutMs = 10_000) {
  child.ref();
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
  killGroup(child.pid, 'SIGKILL');
}

/**
 * Stops the server's process but keeps its dir, for a later relaunch on the same port and data. Waits
 * until the whole process group is gone: a SIGKILLed postmaster's backends still hold its shared
 * memory, and a new postmaster refuses to start on the data dir until they have exited.
 * @param {ServerDir} server
 * @param {NodeJS.Signals} signal
 */
export async function haltServer(server, signal, timeoutMs = 10_000) {
  const launched = server.launched;
  if (!launched) return;
  await stopProcess(launched, signal, timeoutMs);
  const pgid = launched.child.pid;
  const deadline = Date.now() + 5000;
  while (pgid && groupAlive(pgid) && Date.now() < deadline) await sleep(10);
  // Nothing left for stop() or the exit hook to kill (its pid may even be reused by now).
  server.launched = undefined;
}

/**
 * Stops the server's process, if any, and deletes its dir.
 * @param {ServerDir} server
 * @param {NodeJS.Signals} signal
 */
export async function removeServer(server, signal, timeoutMs = 10_000) {
  if (server.launched) await stopProcess(server.launched, signal, timeoutMs);
  await rm(server.dir, { recursive: true, force: true, maxRetries: 5 });
  serverDirs.delete(server);
}

/**
 * The directory for temp dirs: os.tmpdir(), unless a server that runs as another user could not reach it.
 * @param {User | undefined} user
 */
function tempBase(user) {
  const base = tmpdir();
  if (!user) return base;
  for (let dir = resolve(base); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return '/tmp';
    if (dir === dirname(dir)) return base;
  }
}

/**
 * Creates a fresh temp dir for one server, owned by `user` when given. `owner.json` lets a later run
 * delete it if this process dies before it can.
 * @param {string} name
 * @param {User} [user]
 * @returns {Promise<ServerDir>}
 */
export async function makeServerDir(name, user) {
  const base = tempBase(user);
  sweepStaleDirs(base);
  const dir = await mkdtemp(join(base, `${DIR_PREFIX}${name}-`));
  /** @type {ServerDir} */
  const server = { dir, launched: undefined };
  serverDirs.add(server);
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname() }));
  if (user) chownSync(dir, user.uid, user.gid);
  return server;
}

/** Server pid files that may exist in a server dir (PostgreSQL's and Redis's). */
const PID_FILES = ['data/postmaster.pid', 'redis.pid'];

/**
 * Deletes dirs left by runs that were SIGKILLed (their servers died with them through the death
 * signal, or are checked here to be gone).
 * @param {string} base
 */
function sweepStaleDirs(base) {
  let names;
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(base, name);
    try {
      const owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8'));
      if (owner.host !== hostname() || isAlive(owner.pid)) continue;
      const serverPids = PID_FILES.map((file) => readPid(join(dir, file))).filter((pid) => pid !== undefined);
      if (serverPids.some(isAlive)) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Not ours to judge (another user's dir, or one being created right now).
    }
  }
}

/** @param {string} file */
function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` while holding an exclusive lock file (a pid file; a dead holder's lock is taken over).
 * @template T
 * @param {string} file
 * @param {() => Promise<T>} fn
 */
export async function withLockFile(file, fn, timeoutMs = 15 * 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    }
    const holder = readPid(file);
    // An unreadable or empty pid means the file is being written right now: wait for it.
    if (holder !== undefined && !isAlive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${file} (held by pid ${holder})`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
