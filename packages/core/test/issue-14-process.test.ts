import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closedPort as freePort } from '@framework/test-helpers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureNode, NODE20_VERSION } from '../../../tooling/bootstrap/run.mjs';
import { createApp, isFrameworkError, type LogFields } from '../src/index.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/process-app.ts', import.meta.url));

interface Event {
  pid: number;
  event: string;
  msg?: string;
  level?: string;
  worker?: { id: number; pid: number };
  code?: number | string;
  url?: string;
  primary?: boolean;
}

/** A fixture process and every event it printed. */
interface Running {
  readonly child: ChildProcess;
  readonly events: Event[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly base: string;
  stderr: string;
}

const running: Running[] = [];

afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    for (const pid of workerPids(run)) killQuietly(pid);
  }
});

interface How {
  /** The Node binary; default: the one running the tests. */
  node?: string;
  /** Arguments; default: the fixture app. */
  args?: string[];
  cwd?: string;
}

async function start(env: Record<string, string>, how: How = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(how.node ?? process.execPath, how.args ?? [FIXTURE], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(how.cwd === undefined ? {} : { cwd: how.cwd }),
  });
  const events: Event[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('{')) events.push(JSON.parse(line) as Event);
      newline = buffer.indexOf('\n');
    }
  });
  const run: Running = {
    child,
    events,
    base: `http://127.0.0.1:${port}`,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
  });
  running.push(run);
  return run;
}

/** Waits (bounded) until `check` holds; fails with what the process printed otherwise. */
async function until(run: Running, what: string, check: () => boolean, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(run.events)}; stderr: ${run.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function workerStarts(run: Running): Array<{ id: number; pid: number }> {
  return run.events.flatMap((event) => (event.event === 'worker-start' && event.worker ? [event.worker] : []));
}

function workerPids(run: Running): number[] {
  return workerStarts(run).map((worker) => worker.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** GET on a new connection each time, so the primary hands it to the next worker. */
async function pidOf(base: string): Promise<number> {
  const response = await fetch(`${base}/pid`, { headers: { connection: 'close' } }).catch(() => undefined);
  if (response === undefined) return -1;
  const body = (await response.json()) as { pid: number };
  return body.pid;
}

describe('app.start({ cluster }) runs the app in several workers on one port', () => {
  it('serves from both workers, never from the primary', async () => {
    const run = await start({ CLUSTER: '1', WORKERS: '2' });
    await until(run, 'two workers listening', () => workerStarts(run).length === 2);
    await until(run, 'the primary reporting it started', () =>
      run.events.some((event) => event.event === 'started' && event.primary === true),
    );
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 40 && seen.size < 2; attempt++) seen.add(await pidOf(run.base));
    expect([...seen].sort()).toEqual(workerPids(run).sort());
    expect(seen.has(run.child.pid ?? 0)).toBe(false);
  });

  it('replaces the workers one by one on SIGHUP without losing a request of a steady load', async () => {
    const run = await start({ CLUSTER: '1', WORKERS: '2' });
    await until(run, 'two workers listening', () => workerStarts(run).length === 2);
    const before = workerPids(run);
    const failures: string[] = [];
    const servedBy = new Set<number>();
    let answered = 0;
    let stop = false;
    // Two clients, each sending keep-alive requests one after another, like a busy upstream.
    const client = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${run.base}/pid`);
          const body = (await response.json()) as { pid: number };
          if (response.status === 200) {
            answered += 1;
            servedBy.add(body.pid);
          } else failures.push(`status ${response.status}`);
        } catch (error) {
          failures.push(String((error as Error).cause ?? error));
        }
      }
    };
    const clients = [client(), client()];
    await until(run, 'some answers before the restart', () => answered > 50);
    run.child.kill('SIGHUP');
    await until(run, 'the rolling restart to finish', () =>
      run.events.some((event) => event.msg === 'rolling restart done'),
    );
    const afterRestart = answered;
    await until(run, 'answers after the restart', () => answered > afterRestart + 50);
    stop = true;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    const after = workerStarts(run)
      .slice(2)
      .map((worker) => worker.pid);
    expect(after).toHaveLength(2);
    for (const pid of before) expect(alive(pid)).toBe(false);
    expect([...servedBy].filter((pid) => after.includes(pid)).sort()).toEqual([...after].sort());
    const exits = run.events.filter((event) => event.event === 'worker-exit');
    expect(exits.map((event) => event.worker?.pid).sort()).toEqual([...before].sort());
    expect(exits.every((event) => event.code === 0)).toBe(true);
  });

  it('starts a new worker when one is killed', async () => {
    const run = await start({ CLUSTER: '1', WORKERS: '2' });
    await until(run, 'two workers listening', () => workerStarts(run).length === 2);
    const [victim, survivor] = workerPids(run) as [number, number];
    process.kill(victim, 'SIGKILL');
    await until(run, 'a replacement worker', () => workerStarts(run).length === 3);
    const replacement = workerStarts(run)[2]!.pid;
    expect([victim, survivor]).not.toContain(replacement);
    expect(run.events.some((event) => event.event === 'worker-exit' && event.code === 'SIGKILL')).toBe(true);
    const seen = new Set<number>();
    for (let attempt = 0; attempt < 40 && seen.size < 2; attempt++) seen.add(await pidOf(run.base));
    expect([...seen].sort()).toEqual([survivor, replacement].sort());
  });

  it('gives up after process.maxRestarts crashes in a row: the primary exits 1 saying why', async () => {
    const run = await start({ CLUSTER: '1', WORKERS: '1', MAX_RESTARTS: '2', CRASH_AFTER_MS: '50' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(workerStarts(run)).toHaveLength(3);
    const last = run.events.filter((event) => event.level === 'error').at(-1);
    expect(last?.msg).toContain('more than process.maxRestarts (2)');
  });

  it('stops the primary and every worker on SIGTERM, each worker finishing gracefully', async () => {
    const run = await start({ CLUSTER: '1', WORKERS: '2' });
    await until(run, 'two workers listening', () => workerStarts(run).length === 2);
    const slow = fetch(`${run.base}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    run.child.kill('SIGTERM');
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ slow: true });
    const { code } = await run.exited;
    expect(code).toBe(0);
    for (const pid of workerPids(run)) expect(alive(pid)).toBe(false);
    const shutdowns = run.events.filter((event) => event.event === 'onShutdown').map((event) => event.pid);
    expect(shutdowns.sort()).toEqual(workerPids(run).sort());
  });

  it('replaces a worker that goes over process.memoryLimit', async () => {
    const run = await start({ CLUSTER: '1', WORKERS: '1', MEMORY_LIMIT: '256MB' });
    await until(run, 'the worker listening', () => workerStarts(run).length === 1);
    const [first] = workerPids(run) as [number];
    for (let step = 0; step < 5; step++) await fetch(`${run.base}/grow`, { headers: { connection: 'close' } });
    await until(run, 'a replacement worker', () => workerStarts(run).length === 2);
    await until(run, 'the old worker gone', () => !alive(first));
    expect(run.events.some((event) => event.level === 'warn' && event.msg?.includes('over its memory limit'))).toBe(
      true,
    );
    expect(await pidOf(run.base)).toBe(workerPids(run)[1]);
  });
});

/** What `framework start --cluster` runs: a primary from `node -e` that loads the app's core and calls startCluster(). */
function primaryScript(core: string, exec: string): string[] {
  const code = [
    `const { startCluster } = await import(${JSON.stringify(core)});`,
    `const address = await startCluster({ exec: ${JSON.stringify(exec)}, cluster: { workers: 2 }, gracefulShutdown: { timeout: '5s' } });`,
    "process.stdout.write(JSON.stringify({ pid: process.pid, event: 'started', primary: true, url: address.url }) + '\\n');",
  ].join('\n');
  return ['--input-type=module', '-e', code];
}

async function pidsAndGreetings(base: string): Promise<Map<number, unknown>> {
  const seen = new Map<number, unknown>();
  for (let attempt = 0; attempt < 40 && seen.size < 2; attempt++) {
    const response = await fetch(`${base}/pid`, { headers: { connection: 'close' } }).catch(() => undefined);
    if (response === undefined) continue;
    const body = (await response.json()) as { pid: number };
    seen.set(body.pid, body);
  }
  return seen;
}

describe('startCluster(), as `framework start --cluster` runs a built app', () => {
  const dist = fileURLToPath(new URL('../.test-dist/issue-14', import.meta.url));
  const appDir = mkdtempSync(join(tmpdir(), 'fw-cluster-app-'));
  afterAll(() => {
    rmSync(dist, { recursive: true, force: true });
    rmSync(appDir, { recursive: true, force: true });
  });

  it('serves from two workers of a script started by a `node -e` primary, and stops on SIGTERM', async () => {
    const core = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
    const run = await start({}, { args: primaryScript(core, FIXTURE) });
    await until(run, 'the primary reporting it started', () =>
      run.events.some((event) => event.event === 'started' && event.primary === true),
    );
    const seen = await pidsAndGreetings(run.base);
    expect(seen.size).toBe(2);
    expect(seen.has(run.child.pid ?? 0)).toBe(false);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    for (const pid of seen.keys()) expect(alive(pid)).toBe(false);
  });

  it('runs the built package on Node 20, the workers reading their .env with defineConfig()', async () => {
    const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dist], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    writeFileSync(join(appDir, '.env'), 'GREETING=hello from .env\n');
    const core = pathToFileURL(join(dist, 'index.js')).href;
    const worker = fileURLToPath(new URL('./fixtures/cluster-worker.mjs', import.meta.url));
    const node20 = process.env.FRAMEWORK_NODE20 || ensureNode(NODE20_VERSION);
    const run = await start({ CORE: core }, { node: node20, args: primaryScript(core, worker), cwd: appDir });
    await until(run, 'the primary reporting it started', () => run.events.some((event) => event.event === 'started'));
    const seen = await pidsAndGreetings(run.base);
    expect(seen.size).toBe(2);
    for (const body of seen.values()) {
      expect(body).toMatchObject({ greeting: 'hello from .env', node: expect.stringMatching(/^20\./) });
    }
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 90_000);
});

describe('app.start({ gracefulShutdown }) in a single process', () => {
  it('on SIGTERM answers /health/ready with 503, finishes in-flight requests, runs onShutdown and exits 0', async () => {
    const run = await start({ KEEP_ACCEPTING: '1', SHUTDOWN_TIMEOUT: '4000', SLOW_MS: '600' });
    await until(run, 'the app listening', () => run.events.some((event) => event.event === 'started'));
    expect((await fetch(`${run.base}/health/ready`)).status).toBe(200);
    const slow = fetch(`${run.base}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    run.child.kill('SIGTERM');
    await until(run, 'the shutdown to begin', () =>
      run.events.some((event) => event.msg?.includes('SIGTERM') === true),
    );
    const ready = await fetch(`${run.base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect(await ready.json()).toEqual({ status: 'unhealthy', shuttingDown: true, checks: { database: true } });
    expect((await slow).status).toBe(200);
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.events.some((event) => event.event === 'onShutdown')).toBe(true);
  });
});

describe("app.start({ gracefulShutdown }) next to the app's own SIGTERM handler", () => {
  it('runs the onClose hooks and onShutdown once, and exits 0', async () => {
    const run = await start({ OWN_HANDLER: '1' });
    await until(run, 'the app listening', () => run.events.some((event) => event.event === 'started'));
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(run.events.filter((event) => event.event === 'onClose')).toHaveLength(1);
    expect(run.events.filter((event) => event.event === 'onShutdown')).toHaveLength(1);
  });
});

describe('app.start() options', () => {
  it('refuses unknown keys at every level, naming the closest one', async () => {
    const app = createApp({ logger: false });
    const failures = await Promise.all(
      [
        { port: 0, clustr: { enabled: true } },
        { port: 0, cluster: { enabled: true, worker: 2 } },
        { port: 0, gracefulShutdown: { timout: '5s' } },
        { port: 0, process: { maxRestart: 3 } },
      ].map((options) =>
        app.start(options as never).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    const messages = failures.map((error) =>
      isFrameworkError(error) ? `${error.code}: ${error.message}` : String(error),
    );
    expect(messages[0]).toMatch(
      /FW_ERR_UNKNOWN_OPTION: app\.start\(\) has no option "clustr"\. Did you mean "cluster"\?/,
    );
    expect(messages[1]).toMatch(/has no option "worker"\. Did you mean "workers"\?/);
    expect(messages[2]).toMatch(/has no option "timout"\. Did you mean "timeout"\?/);
    expect(messages[3]).toMatch(/has no option "maxRestart"\. Did you mean "maxRestarts"\?/);
  });

  it('refuses values it cannot use, naming the option', async () => {
    const app = createApp({ logger: false });
    const bad = [
      { cluster: { workers: 0 } },
      { cluster: { restartStrategy: 'all-at-once' } },
      { gracefulShutdown: { timeout: 'soon' } },
      { process: { memoryLimit: 'lots' } },
      { process: { onMemoryLimit: 'panic' } },
    ];
    for (const options of bad) {
      const error = await app.start(options as never).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isFrameworkError(error) && error.code, JSON.stringify(options)).toBe('FW_ERR_INVALID_OPTION');
    }
  });

  it("logs a warning when the process goes over memoryLimit with onMemoryLimit: 'alert'", async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (_fields: LogFields, message: string) => warnings.push(message),
      error() {},
    };
    const app = createApp({ logger });
    app.get('/', () => 'ok');
    await app.start({ port: 0, process: { memoryLimit: '1MB', onMemoryLimit: 'alert' } });
    try {
      const deadline = Date.now() + 5000;
      while (warnings.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings[0]).toMatch(/over its memory limit of 1 MB/);
    } finally {
      await app.stop();
    }
  });
});
