import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WORKSPACE = join(PACKAGE_ROOT, '..', '..');
/** The command as users run it, from its TypeScript source (Node strips the types). */
export const BIN = join(PACKAGE_ROOT, 'src', 'bin.ts');
export const NODE_ARGS = ['--disable-warning=ExperimentalWarning', BIN];

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment without what the test runner's own package manager set (its user agent, config). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_|^NODE_ENV$|^VITEST|^DATABASE_URL$|^REDIS_URL$/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to its end (bounded by `timeout` ms, then killed) and collects its output. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `create-framework` with `args` in `cwd`, without a terminal. */
export function create(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<Result> {
  return runCommand(process.execPath, [...NODE_ARGS, ...args], { cwd, env });
}

const made: string[] = [];

/** A new empty directory, removed by `removeTempDirs()`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'create-framework-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(realpathSync(target), path, 'dir');
}

/**
 * Gives a generated project a node_modules that resolves the framework packages to this
 * repository's sources and the third-party packages to the workspace's installed copies, as an
 * install from the registry would once the packages are published.
 */
export function linkWorkspace(project: string): void {
  const modules = join(project, 'node_modules');
  for (const name of ['core', 'db', 'cache', 'queue', 'auth', 'cli']) {
    const source = join(WORKSPACE, 'packages', name);
    if (existsSync(join(source, 'package.json'))) link(source, join(modules, '@framework', name));
  }
  link(join(WORKSPACE, 'packages', 'core', 'node_modules', 'zod'), join(modules, 'zod'));
  link(join(WORKSPACE, 'node_modules', 'typescript'), join(modules, 'typescript'));
  link(join(WORKSPACE, 'node_modules', 'vitest'), join(modules, 'vitest'));
  link(join(WORKSPACE, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'));
}
