// The other ways in that the create-framework README promises, each from the local registry with
// nothing of this repository on PATH: `npm run dev` in a new app on Node 20 and on the toolchain's
// Node (it serves, and picks up an edited route), the fullstack and plugin templates (install, own
// tests, build, and a plugin's tarball), `pnpm create framework`, and the questions answered in a
// terminal. One registry, one publish and one npm cache for the whole file: installs are the slow
// part, and after the first one most packages come from that cache.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, publishWorkspace, startLocalRegistry } from '../src/index.ts';
import { type Launched, launch, run, stopProcess, tail } from '../src/internal/child.ts';
import { cleanEnv } from '../src/internal/env.ts';
import { freePort } from '../src/internal/free-port.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'framework-scaffolded-apps-'));
const node20 = process.env.FRAMEWORK_NODE20 || '/usr/bin/node';

let registry: LocalRegistry | undefined;

/** The folder of the `pnpm` this test runs with (the toolchain's), for the pnpm user's PATH. */
function pnpmFolder(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'pnpm'), constants.X_OK);
      return dir;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error('No pnpm on PATH: run this test with the toolchain on PATH (see the repository README).');
}

/**
 * A user's shell: `node` and `npm` from `node`'s folder (then the system's, and `more` folders),
 * npm (and pnpm) pointed at the local registry with an empty config of their own and the cache in
 * the scratch folder; nothing of this repository on PATH but the folders in `more`, and none of the
 * variables this test runner sets for itself.
 */
function userEnv(node: string, extra: Record<string, string> = {}, more: string[] = []): NodeJS.ProcessEnv {
  const env = cleanEnv(process.env, {
    PATH: [dirname(node), ...more, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    npm_config_registry: registry?.url ?? '',
    npm_config_userconfig: join(scratch, 'npmrc'),
    npm_config_cache: join(scratch, 'npm-cache'),
    // npx asks before it fetches create-framework; a user answers yes.
    npm_config_yes: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    // Plain output, whatever the terminal this test runs in: the assertions read it.
    NO_COLOR: '1',
    ...extra,
  });
  delete env.FORCE_COLOR;
  delete env.NODE_ENV;
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'TEST') delete env[key];
  return env;
}

function npm(args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return run('npm', args, { cwd, env: userEnv(node20), timeoutMs, group: true });
}

/** The status and body of `url`, or status 0 when nothing answers. */
async function get(url: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** Waits for `url` to answer 200 and resolves to its body; rejects with the server's output. */
async function waitFor200(url: string, server: Launched, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await get(url);
    if (status === 200) return body;
    if (server.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${url} did not answer 200 (last: ${status}). The app's output:${tail(server.output())}`);
    }
    await sleep(200);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  registry = await startLocalRegistry();
  await publishWorkspace({
    registry: registry.url,
    token: registry.token,
    root,
    only: [
      '@framework/auth',
      '@framework/cache',
      '@framework/cli',
      '@framework/core',
      '@framework/db',
      '@framework/queue',
      'create-framework',
    ],
  });
  rmSync(join(scratch, 'npmrc'), { force: true });
}, 240_000);

afterAll(async () => {
  await registry?.stop();
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
});

describe('npm run dev in an app made by npm create framework@latest', () => {
  const app = join(scratch, 'my-app');

  it('creates the app with db, cache and queue and installs it from the registry', async () => {
    await npm(
      ['create', 'framework@latest', 'my-app', '--', '--template', 'api', '--packages', 'db,cache,queue', '--yes'],
      scratch,
      400_000,
    );
    expect(existsSync(join(app, 'node_modules', '@framework', 'cli', 'package.json'))).toBe(true);
  }, 420_000);

  it.each([
    ['Node 20', node20, 'on-node-20'],
    ["the toolchain's Node", process.execPath, 'on-node-24'],
  ])(
    'serves without any server to start, restarts on an edit and stops on SIGTERM, on %s',
    async (label, node, route) => {
      const port = await freePort('127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      const source = join(app, 'src', 'app.ts');
      const original = readFileSync(source, 'utf8');
      const started = performance.now();
      const server = launch('npm', ['run', 'dev'], {
        cwd: app,
        env: userEnv(node, { PORT: String(port), HOST: '127.0.0.1' }),
        group: true,
      });
      const pid = server.child.pid;
      if (pid === undefined) throw new Error(`npm run dev did not start:${tail(server.output())}`);
      try {
        await waitFor200(`${base}/health/ready`, server, 60_000);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`npm run dev on ${label}: /health/ready answered 200 ${seconds} s after the spawn`);
        expect((await get(`${base}/${route}`)).status).toBe(404);

        const added = `  app.get('/${route}', () => ({ served: '${route}' }));\n  return app;\n}`;
        expect(original).toMatch(/\n {2}return app;\n\}/);
        writeFileSync(source, original.replace(/ {2}return app;\n\}/, added));
        const body = await waitFor200(`${base}/${route}`, server, 60_000);
        expect(JSON.parse(body)).toEqual({ served: route });

        process.kill(-pid, 'SIGTERM');
        const deadline = Date.now() + 15_000;
        while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
        expect(groupAlive(pid), `npm run dev was still running 15 s after SIGTERM:${tail(server.output())}`).toBe(
          false,
        );
        expect(await listening(port)).toBe(false);
      } finally {
        writeFileSync(source, original);
        await stopProcess(server, 5_000);
      }
    },
    180_000,
  );
});

describe('npm create framework@latest with the other templates', () => {
  it('fullstack: installs, passes its own tests and builds', async () => {
    const app = join(scratch, 'my-site');
    await npm(['create', 'framework@latest', 'my-site', '--', '--template', 'fullstack', '--yes'], scratch, 400_000);
    expect(existsSync(join(app, 'public', 'index.html'))).toBe(true);
    expect(await npm(['test'], app, 240_000)).toMatch(/Tests\s+\d+ passed/);
    await npm(['run', 'build'], app, 180_000);
    expect(existsSync(join(app, 'dist', 'src', 'main.js'))).toBe(true);
  }, 840_000);

  it('plugin: installs, passes its own tests, builds, and packs a tarball ready to publish', async () => {
    const plugin = join(scratch, 'my-plugin');
    await npm(['create', 'framework@latest', 'my-plugin', '--', '--template', 'plugin', '--yes'], scratch, 400_000);
    expect(await npm(['test'], plugin, 240_000)).toMatch(/Tests\s+\d+ passed/);
    await npm(['run', 'build'], plugin, 180_000);

    const packed: Array<{ filename: string; files: Array<{ path: string }> }> = JSON.parse(
      await run('npm', ['pack', '--json', '--silent'], { cwd: plugin, env: userEnv(node20), timeoutMs: 60_000 }),
    );
    const [tarball] = packed;
    if (tarball === undefined) throw new Error('npm pack printed no tarball');
    expect(existsSync(join(plugin, tarball.filename))).toBe(true);
    expect(tarball.files.map((file) => file.path)).toContain('dist/index.js');
    const manifest: { keywords?: string[]; peerDependencies?: Record<string, string> } = JSON.parse(
      await run('tar', ['-xzOf', tarball.filename, 'package/package.json'], {
        cwd: plugin,
        env: userEnv(node20),
        timeoutMs: 30_000,
      }),
    );
    expect(manifest.keywords).toContain('framework-plugin');
    expect(manifest.peerDependencies).toHaveProperty('@framework/core');
  }, 900_000);
});

describe('pnpm create framework my-pnpm-app --template api --yes', () => {
  it('creates and installs the app with pnpm; pnpm install and pnpm test pass', async () => {
    const app = join(scratch, 'my-pnpm-app');
    // pnpm's store and cache in the scratch folder too (npm warns about these names, so only here).
    const env = userEnv(
      process.execPath,
      { npm_config_store_dir: join(scratch, 'pnpm-store'), npm_config_cache_dir: join(scratch, 'pnpm-cache') },
      [pnpmFolder()],
    );
    const pnpm = (args: string[], cwd: string, timeoutMs: number) =>
      run('pnpm', args, { cwd, env, timeoutMs, group: true });
    await pnpm(['create', 'framework', 'my-pnpm-app', '--template', 'api', '--yes'], scratch, 400_000);
    expect(existsSync(join(app, 'pnpm-lock.yaml'))).toBe(true);
    const manifest: { dependencies: Record<string, string> } = JSON.parse(
      readFileSync(join(app, 'package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['@framework/cli', '@framework/core']));
    await pnpm(['install'], app, 240_000);
    expect(await pnpm(['test'], app, 240_000)).toMatch(/Tests\s+\d+ passed/);
  }, 900_000);
});

describe('npm create framework@latest in a terminal, answering its questions', () => {
  it('asks, creates an api app with db, installs it, and the app passes its own tests', async () => {
    const ENTER = '\r';
    // util-linux `script` gives the command a pseudo-terminal, so create-framework asks; one made
    // from a pipe has no size, so it is given one, as a real terminal has.
    const child = spawn('script', ['-qfec', 'stty cols 100 rows 40 && exec npm create framework@latest', '/dev/null'], {
      cwd: scratch,
      env: userEnv(node20, { TERM: 'xterm-256color' }),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const answer = async (prompt: string, keys: string[]): Promise<void> => {
      for (let waited = 0; !screen.includes(prompt); waited += 100) {
        if (waited > 120_000) throw new Error(`"${prompt}" never appeared; the screen shows:\n${screen}`);
        await sleep(100);
      }
      for (const key of keys) {
        child.stdin.write(key);
        // One key per read, as a person types: the prompt redraws between them.
        await sleep(150);
      }
    };
    const bound = new AbortController();
    try {
      await answer('Where should the project go?', [...'prompted-app', ENTER]);
      await answer('Which template?', [ENTER]); // api, the first one
      await answer('Which batteries?', [' ', ENTER]); // db, the first one
      await answer('Which package manager?', [ENTER]); // npm, the first one
      // The install comes after the last answer: bounded like the other installs.
      const code = await Promise.race([exited, sleep(400_000, 'still running', { signal: bound.signal })]);
      expect(code, screen).toBe(0);
    } finally {
      bound.abort();
      if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    }
    expect(screen).toContain('Created prompted-app (api with db)');
    const app = join(scratch, 'prompted-app');
    expect(existsSync(join(app, 'node_modules', '@framework', 'db', 'package.json'))).toBe(true);
    expect(await npm(['test'], app, 240_000)).toMatch(/Tests\s+\d+ passed/);
  }, 900_000);
});
