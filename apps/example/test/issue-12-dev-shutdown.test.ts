import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// `npm run dev` is npm → sh → tooling/bootstrap/run.mjs → pnpm → sh → framework dev (node running the
// CLI's TypeScript) → node src/main.ts, plus the process framework dev keeps ready for the next restart.
// An IDE's stop button or `timeout` signals only the top process; the whole chain must stop.
const root = fileURLToPath(new URL('../../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

/** Every process below `pid`. */
function tree(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of pairs) {
      if (ppid === parent && child !== undefined) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

let started: { npm: ChildProcess; pids: number[] } | undefined;

afterEach(() => {
  // Never leave an app behind, even when an assertion failed.
  if (started === undefined) return;
  for (const pid of [started.npm.pid ?? 0, ...started.pids]) {
    if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
  }
  started = undefined;
});

async function runDev(): Promise<{ npm: ChildProcess; port: number; output: () => string }> {
  const port = await freePort();
  // Its own process group, so that the signal below reaches npm alone, as from an IDE.
  const npm = spawn('npm', ['run', 'dev'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  npm.stdout?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  npm.stderr?.setEncoding('utf8').on('data', (text: string) => {
    output += text;
  });
  started = { npm, pids: [] };
  const up = await until(() => output.includes(`example app listening on http://127.0.0.1:${port}`), 90_000);
  expect(up, `npm run dev did not print its listening line:\n${output}`).toBe(true);
  return { npm, port, output: () => output };
}

/** The processes of the run as they are now (framework dev restarts the app when files change). */
function snapshot(npm: ChildProcess): number[] {
  const pids = tree(npm.pid ?? 0);
  if (started !== undefined) started.pids = pids;
  return pids;
}

async function expectAllStopped(port: number, pids: number[], output: () => string): Promise<void> {
  const freed = await until(async () => !(await listening(port)), 10_000);
  expect(freed, `port ${port} still held:\n${output()}`).toBe(true);
  await until(() => pids.every((pid) => !alive(pid)), 10_000);
  expect(
    pids.filter(alive).map((pid) => `${pid}`),
    `processes of npm run dev left running:\n${output()}`,
  ).toEqual([]);
}

describe('npm run dev', () => {
  it('stops the app and frees the port when the npm process gets SIGTERM', async () => {
    const { npm, port, output } = await runDev();
    expect(await listening(port)).toBe(true);
    // It runs through the framework CLI, which keeps the example's PGlite database open across restarts.
    expect(output()).toMatch(/framework dev: opened PGlite in \.data\/pglite in \d+ ms/);
    const pids = snapshot(npm);
    // sh, run.mjs, pnpm, framework dev and the app at least.
    expect(pids.length).toBeGreaterThanOrEqual(4);
    npm.kill('SIGTERM');
    await expectAllStopped(port, pids, output);
  }, 150_000);

  it('stops the app and frees the port when the bootstrap gets SIGINT', async () => {
    // What a SIGINT to npm amounts to where npm's shell passes it on (a root script run with `exec`).
    const { npm, port, output } = await runDev();
    expect(await listening(port)).toBe(true);
    const pids = snapshot(npm);
    const bootstrap = pids.find((pid) => /^\S*node tooling\/bootstrap\/run\.mjs/.test(commandOf(pid)));
    expect(bootstrap, 'no run.mjs process').toBeDefined();
    process.kill(bootstrap ?? 0, 'SIGINT');
    // The app, pnpm and the bootstrap stop, and so npm and its shell end too.
    await expectAllStopped(port, pids, output);
    // npm is this process's child: it stays a zombie until reaped, so ask for its exit instead.
    expect(await until(() => npm.exitCode !== null || npm.signalCode !== null, 10_000)).toBe(true);
  }, 150_000);

  it('stops the app and frees the port when the npm process is killed outright', async () => {
    const { npm, port, output } = await runDev();
    expect(await listening(port)).toBe(true);
    const pids = snapshot(npm);
    npm.kill('SIGKILL');
    await expectAllStopped(port, pids, output);
  }, 150_000);
});
