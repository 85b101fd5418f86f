// The environment of a run: Node binaries, the Node 20 build of core, machine and package versions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = join(BENCH_DIR, '..', '..');
const BUILD_DIR = join(BENCH_DIR, '.build');

function nodeVersion(bin) {
  const result = spawnSync(bin, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * A Node 20 binary: FRAMEWORK_NODE20 (set by the repo bootstrap), the bootstrap's toolchain copy,
 * /usr/local/bin/node when it is a 20, or — last — the bootstrap's ensureNode(NODE20_VERSION),
 * which fetches it from the npm registry, in a child process so that a failure cannot end the run.
 * Returns { bin, version } or { reason }.
 */
export function findNode20() {
  const tried = [];
  const candidates = [];
  if (process.env.FRAMEWORK_NODE20) candidates.push(process.env.FRAMEWORK_NODE20);
  const bootstrap = join(REPO_ROOT, 'tooling', 'bootstrap', 'run.mjs');
  let pinned = null;
  if (existsSync(bootstrap)) {
    pinned = /NODE20_VERSION = '([\d.]+)'/.exec(readFileSync(bootstrap, 'utf8'))?.[1] ?? null;
    const toolchain = process.env.FRAMEWORK_TOOLCHAIN_DIR ?? join(REPO_ROOT, '.toolchain');
    if (pinned) candidates.push(join(toolchain, `node-v${pinned}`, 'bin', 'node'));
  }
  candidates.push('/usr/local/bin/node');
  if (process.versions.node.startsWith('20.')) candidates.unshift(process.execPath);
  for (const bin of candidates) {
    if (!existsSync(bin)) {
      tried.push(`${bin} (missing)`);
      continue;
    }
    const version = nodeVersion(bin);
    if (version?.startsWith('v20.')) return { bin, version };
    tried.push(`${bin} (${version ?? 'does not run'})`);
  }
  if (existsSync(bootstrap)) {
    const code = `import(${JSON.stringify(pathToFileURL(bootstrap).href)}).then((m) => console.log(m.ensureNode(m.NODE20_VERSION)))`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    const bin = result.stdout?.trim().split('\n').pop();
    if (result.status === 0 && bin && existsSync(bin)) {
      const version = nodeVersion(bin);
      if (version?.startsWith('v20.')) return { bin, version };
    }
    tried.push(
      `ensureNode(${pinned}) from tooling/bootstrap/run.mjs (${result.stderr?.trim().split('\n').pop() ?? 'failed'})`,
    );
  }
  return { reason: `no Node 20 binary found; tried ${tried.join(', ')}` };
}

/**
 * Compiles packages/core with tsc into apps/bench/.build/core for Node 20, which cannot run the
 * TypeScript source. `.build/node_modules` links to core's own node_modules so that the build
 * resolves core's dependencies (secure-json-parse, the uWebSockets.js peer) as the source does.
 * Returns { entry, warnings } or { reason }.
 */
export function buildCoreForNode20() {
  const outDir = join(BUILD_DIR, 'core');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  const tsc = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  if (!existsSync(tsc)) return { reason: `TypeScript is not installed (${relative(REPO_ROOT, tsc)} is missing)` };
  const result = spawnSync(
    tsc,
    [
      '-p',
      join(REPO_ROOT, 'packages', 'core', 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
    ],
    { encoding: 'utf8', timeout: 180_000 },
  );
  const entry = join(outDir, 'index.js');
  const output = `${result.stdout}${result.stderr}`.trim();
  if (!existsSync(entry)) {
    return {
      reason: `tsc did not build packages/core: ${output.split('\n').slice(0, 3).join(' | ') || result.error?.message}`,
    };
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  const link = join(BUILD_DIR, 'node_modules');
  rmSync(link, { recursive: true, force: true });
  symlinkSync(join(REPO_ROOT, 'packages', 'core', 'node_modules'), link, 'dir');
  const warnings =
    result.status === 0 ? [] : [`tsc reported errors (the output was emitted anyway): ${output.split('\n')[0]}`];
  return { entry: pathToFileURL(entry).href, warnings };
}

export function machineInfo() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const meminfo = (() => {
    try {
      return readFileSync('/proc/meminfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? totalmem() / 1024);
  const osRelease = (() => {
    try {
      return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
    } catch {
      return 'unknown';
    }
  })();
  return { cpu: model, cores: cpus().length, ramGiB: memKb / 1024 / 1024, os: osRelease, kernel: release() };
}

/** Versions from each package's own package.json, as installed for apps/bench. */
export function packageVersions() {
  const names = [
    '@framework/core',
    'fastify',
    'hono',
    '@hono/node-server',
    '@hono/zod-validator',
    'express',
    'koa',
    '@koa/router',
    '@koa/bodyparser',
    'uWebSockets.js',
    'zod',
    'find-my-way',
    'rou3',
    'mitata',
  ];
  const out = {};
  for (const name of names) {
    try {
      const pkg = JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8'));
      out[name] = pkg.name === name ? pkg.version : `${pkg.version} (${pkg.name})`;
    } catch {
      out[name] = 'not installed';
    }
  }
  return out;
}

/** The commit and the uncommitted changes of packages/core (read-only git commands). */
export function gitInfo() {
  const git = (args) => spawnSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', timeout: 10_000 });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return null;
  const status = git(['status', '--porcelain', '--', 'packages/core']);
  const dirty = status.status === 0 ? status.stdout.split('\n').filter(Boolean).length : null;
  return { commit: head.stdout.trim(), coreChangedFiles: dirty };
}
