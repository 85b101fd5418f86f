import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { type Services, startServices } from '@framework/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, create, linkWorkspace, removeTempDirs, runCommand, tempDir } from './helpers.ts';

// The generated app scaled out as its deploy/haproxy.cfg says: Debian's HAProxy on loopback in front
// of three instances of the built app (NODE_ENV=production), sharing one PostgreSQL and one Redis.

function haproxyBinary(): string {
  const found = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((path) => existsSync(path));
  if (found !== undefined) return found;
  // Root on Debian (CI, a fresh machine): install it, as test-services does for PostgreSQL and Redis.
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], {
      env,
      stdio: 'ignore',
    });
    if (result.status !== 0) {
      spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
      result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], { env, stdio: 'ignore' });
    }
    if (result.status === 0 && existsSync('/usr/sbin/haproxy')) return '/usr/sbin/haproxy';
  }
  throw new Error('This test runs HAProxy: install it (apt-get install haproxy) and run it again.');
}

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

/** One command on HAProxy's admin socket; resolves with its answer. */
function admin(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let answer = '';
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      answer += chunk;
    });
    client.once('error', reject);
    client.once('end', () => resolve(answer));
    client.setTimeout(5_000, () => client.destroy(new Error(`no answer to ${command}`)));
    client.end(`${command}\n`);
  });
}

async function until(what: string, check: () => Promise<boolean>, timeout = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The same on every instance, as the config requires in production.
const COOKIE_SECRET = 'a-test-secret-that-is-at-least-32-characters';
let services: Services;

function within<T>(what: string, promise: Promise<T>, timeout = 40_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting until ${what}`)), timeout);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
let project: string;
let work: string;
const children = new Set<ChildProcess>();

interface Instance {
  child: ChildProcess;
  exited: Promise<number | null>;
  log: () => string;
}

async function startInstance(port: number): Promise<Instance> {
  const env = cleanEnv({ NODE_ENV: 'production', PORT: String(port), COOKIE_SECRET, ...services.env });
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let log = '';
  const onData = (chunk: string) => {
    log += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', onData);
  child.stderr?.setEncoding('utf8').on('data', onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  await until(`the instance on port ${port} listens`, async () => {
    if (child.exitCode !== null) throw new Error(`the instance exited:\n${log}`);
    return log.includes(`"url":"http://`);
  });
  return { child, exited, log: () => log };
}

beforeAll(async () => {
  work = tempDir();
  services = await startServices({ postgres: true, redis: true, env: {}, log: () => {} });
  expect((await create(['scaled-app', '--packages', 'db,cache,queue', '--yes', '--no-install'], work)).code).toBe(0);
  project = join(work, 'scaled-app');
  linkWorkspace(project);
  const build = await runCommand(
    process.execPath,
    [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: project,
      timeout: 120_000,
    },
  );
  expect(build.stdout + build.stderr).toBe('');
}, 180_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await services?.stop();
  removeTempDirs();
});

describe('the generated deploy/haproxy.cfg', () => {
  it('serves three instances, and a rolling restart under load drops no request', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const front = await freePort();
    const socket = join(work, 'haproxy.sock');
    // The example as generated, on this test's ports and socket.
    const config = readFileSync(join(project, 'deploy/haproxy.cfg'), 'utf8')
      .replace('bind *:8080', `bind 127.0.0.1:${front}`)
      .replace(/\/tmp\/haproxy-scaled-app\.sock/g, socket)
      .replace('127.0.0.1:3001', `127.0.0.1:${ports[0]}`)
      .replace('127.0.0.1:3002', `127.0.0.1:${ports[1]}`)
      .replace('127.0.0.1:3003', `127.0.0.1:${ports[2]}`);
    const configFile = join(work, 'haproxy.cfg');
    writeFileSync(configFile, config);

    // One at a time, so that the first runs the migration and the others find it applied.
    const instances: Instance[] = [];
    for (const port of ports) instances.push(await startInstance(port));
    const haproxy = spawn(haproxyBinary(), ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(haproxy);
    let haproxyLog = '';
    haproxy.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      haproxyLog += chunk;
    });
    const url = `http://127.0.0.1:${front}`;
    await until('HAProxy answers', async () => (await fetch(`${url}/health/ready`)).status === 200);

    // A bounded load: four clients, each adding a note and listing them in turn, until told to stop.
    let running = true;
    let added = 0;
    const failures: string[] = [];
    const client = async (id: number) => {
      for (let round = 0; running; round++) {
        try {
          const response =
            round % 2 === 0
              ? await fetch(`${url}/notes`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ title: `client ${id} round ${round}` }),
                  signal: AbortSignal.timeout(30_000),
                })
              : await fetch(`${url}/notes`, { signal: AbortSignal.timeout(30_000) });
          if (response.status >= 400) failures.push(`${response.status} ${await response.text()}`);
          else {
            await response.arrayBuffer();
            if (round % 2 === 0) added++;
          }
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(client));

    const statusOf = async (server: string) => {
      const stat = await admin(socket, 'show stat');
      const row = stat.split('\n').find((line) => line.startsWith(`app,${server},`));
      return row?.split(',')[17];
    };
    // The rolling restart the config's comments describe, one instance after the other.
    for (const [index, port] of ports.entries()) {
      const server = `app${index + 1}`;
      await admin(socket, `set server app/${server} state drain`);
      await until(`${server} is drained`, async () => (await statusOf(server)) === 'DRAIN');
      const old = instances[index]!;
      old.child.kill('SIGTERM');
      expect(await within(`${server} exits`, old.exited), old.log()).toBe(0);
      instances[index] = await startInstance(port);
      await admin(socket, `set server app/${server} state ready`);
      await until(`${server} is back in HAProxy`, async () => (await statusOf(server)) === 'UP');
    }
    running = false;
    await load;

    expect(failures, haproxyLog).toEqual([]);
    expect(added).toBeGreaterThan(20);
    // Every instance wrote to the same database, and the cached list was invalidated across them.
    const notes: unknown = await (await fetch(`${url}/notes`)).json();
    expect(Array.isArray(notes) ? notes.length : 0).toBe(added);

    haproxy.kill('SIGTERM');
    for (const instance of instances) instance.child.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exited));
  }, 360_000);
});
