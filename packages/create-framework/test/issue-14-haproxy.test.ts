import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { type Services, startServices } from '@framework/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, create, linkWorkspace, removeTempDirs, runCommand, tempDir } from './helpers.ts';

// The generated app scaled out as its deploy/haproxy.cfg says: Debian's HAProxy on loopback in front
// of three instances of the built app (NODE_ENV=production), sharing one PostgreSQL and one Redis:
// a rolling restart drops no request, a client's rate limit is one count across the instances, and
// a session opened on one instance holds on all of them, and ends on all of them at logout.

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
const SESSION_SECRET = 'a-test-session-secret-of-at-least-32-characters';
const JWT_SECRET = 'a-test-jwt-secret-of-at-least-32-characters!!';
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

async function startInstance(port: number, settings: Record<string, string> = {}): Promise<Instance> {
  const env = cleanEnv({
    NODE_ENV: 'production',
    PORT: String(port),
    COOKIE_SECRET,
    SESSION_SECRET,
    JWT_SECRET,
    ...services.env,
    ...settings,
  });
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
  expect((await create(['scaled-app', '--packages', 'db,cache,queue,auth', '--yes', '--no-install'], work)).code).toBe(
    0,
  );
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

interface Proxy {
  url: string;
  socket: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** HAProxy with the generated deploy/haproxy.cfg, on this test's ports and socket. */
async function startHaproxy(ports: readonly number[], name: string): Promise<Proxy> {
  const front = await freePort();
  const socket = join(work, `${name}.sock`);
  const config = readFileSync(join(project, 'deploy/haproxy.cfg'), 'utf8')
    .replace('bind *:8080', `bind 127.0.0.1:${front}`)
    .replace(/\/tmp\/haproxy-scaled-app\.sock/g, socket)
    .replace('127.0.0.1:3001', `127.0.0.1:${ports[0]}`)
    .replace('127.0.0.1:3002', `127.0.0.1:${ports[1]}`)
    .replace('127.0.0.1:3003', `127.0.0.1:${ports[2]}`);
  const configFile = join(work, `${name}.cfg`);
  writeFileSync(configFile, config);
  const haproxy = spawn(haproxyBinary(), ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(haproxy);
  // Its messages, and from its request log (stdout, one line a request) the requests that did not
  // end well or took over 5 s (timers Tq/Tw/Tc/Tr/Tt): what a failure below shows.
  let log = '';
  haproxy.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  let partial = '';
  haproxy.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const total = Number(/ -?\d+\/-?\d+\/-?\d+\/-?\d+\/(\d+) /.exec(line)?.[1] ?? 0);
      if (!/ 20[014] .* ---- /.test(line) || total > 5_000) log += `${line}\n`;
    }
  });
  const exited = new Promise<void>((resolve) =>
    haproxy.once('close', () => {
      children.delete(haproxy);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${front}`;
  await until('HAProxy answers', async () => {
    if (haproxy.exitCode !== null) throw new Error(`HAProxy exited:\n${log}`);
    return (await fetch(`${url}/health/ready`)).status === 200;
  });
  // Every instance is up in HAProxy, so that round-robin spreads the requests over the three.
  await until('HAProxy sees every instance up', async () => {
    const rows = (await admin(socket, 'show stat')).split('\n').filter((line) => /^app,app\d,/.test(line));
    return rows.length === 3 && rows.every((row) => row.split(',')[17] === 'UP');
  });
  return {
    url,
    socket,
    log: () => log,
    stop: async () => {
      haproxy.kill('SIGTERM');
      await within('HAProxy exits', exited);
    },
  };
}

/** HAProxy's counters for a backend server (`hrsp_2xx`, `hrsp_4xx`...), by their names in `show stat`. */
async function serverStats(socket: string, server: string): Promise<Record<string, string>> {
  const lines = (await admin(socket, 'show stat')).split('\n');
  const names = (lines[0] ?? '').replace(/^# /, '').split(',');
  const row = (lines.find((line) => line.startsWith(`app,${server},`)) ?? '').split(',');
  return Object.fromEntries(names.map((name, index) => [name, row[index] ?? '']));
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/**
 * One request from a given loopback address (127.0.0.2, 127.0.0.3...): each stands for a client on
 * its own machine, as HAProxy sees it.
 */
function send(
  url: string,
  from: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        localAddress: from,
        agent: false,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        timeout: 30_000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        response.once('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter, body: text });
        });
        response.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.once('error', reject);
    req.end(body);
  });
}

const addNote = (url: string, from: string, headers: Record<string, string> = {}) =>
  send(`${url}/notes`, from, { method: 'POST', body: { title: `from ${from}` }, headers });

/** Statuses counted: `{ 201: 30, 429: 10 }`. */
function tally(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe('the generated deploy/haproxy.cfg', () => {
  it('serves three instances, and a rolling restart under load drops no request', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    // One at a time, so that the first runs the migration and the others find it applied. The load
    // below is one client adding notes as fast as it can: its per-client limit is lifted here (the
    // limit itself is the next test's subject).
    const instances: Instance[] = [];
    const settings = { NOTES_PER_MINUTE: '1000000' };
    for (const port of ports) instances.push(await startInstance(port, settings));
    const proxy = await startHaproxy(ports, 'haproxy-restart');
    const { url, socket } = proxy;

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
          // fetch's own message ("fetch failed") says little; its cause says what the socket saw.
          failures.push(
            error instanceof Error && error.cause !== undefined ? `${error} (${error.cause})` : String(error),
          );
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
      // Requests HAProxy sent before the drain finish first: stopping the instance with one of them
      // still on its way would close that connection under it.
      await until(`${server} has no request in flight`, async () => (await serverStats(socket, server)).scur === '0');
      const old = instances[index]!;
      old.child.kill('SIGTERM');
      expect(await within(`${server} exits`, old.exited), old.log()).toBe(0);
      instances[index] = await startInstance(port, settings);
      await admin(socket, `set server app/${server} state ready`);
      await until(`${server} is back in HAProxy`, async () => (await statusOf(server)) === 'UP');
    }
    running = false;
    await load;

    expect(failures, proxy.log()).toEqual([]);
    expect(added).toBeGreaterThan(20);
    // Every instance wrote to the same database, and the cached list was invalidated across them.
    const notes: unknown = await (await fetch(`${url}/notes`)).json();
    expect(Array.isArray(notes) ? notes.length : 0).toBe(added);

    await proxy.stop();
    for (const instance of instances) instance.child.kill('SIGTERM');
    await within('the instances exit', Promise.all(instances.map((instance) => instance.exited)));
  }, 360_000);

  it('holds the rate limit across the instances: the same count as one instance, per client', async () => {
    // As generated: NOTES_PER_MINUTE 30, the counts in the shared Redis, the client's address from
    // the X-Forwarded-For that HAProxy sets (believed from loopback in production).
    const limit = 30;
    const ports = [await freePort(), await freePort(), await freePort()];
    const instances: Instance[] = [];
    for (const port of ports) instances.push(await startInstance(port));
    const proxy = await startHaproxy(ports, 'haproxy-limits');

    // One client sends 40 notes at once through HAProxy, which spreads them round-robin.
    const burst = await within(
      'the burst is answered',
      Promise.all(Array.from({ length: limit + 10 }, () => addNote(proxy.url, '127.0.0.2'))),
    );
    expect(tally(burst), proxy.log()).toEqual({ 201: limit, 429: 10 });
    for (const refused of burst.filter((answer) => answer.status === 429)) {
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'FW_ERR_RATE_LIMITED' });
    }
    // The next ones are refused on whichever instance they reach, also with a made-up
    // X-Forwarded-For: HAProxy replaces it with the address it sees.
    const again: Answer[] = [];
    for (let round = 0; round < 3; round++) {
      again.push(await addNote(proxy.url, '127.0.0.2'));
      again.push(await addNote(proxy.url, '127.0.0.2', { 'x-forwarded-for': `198.51.100.${round + 1}` }));
    }
    expect(again.map((answer) => answer.status)).toEqual([429, 429, 429, 429, 429, 429]);
    // Every instance accepted some of the notes and refused some: one count, held in Redis.
    for (const server of ['app1', 'app2', 'app3']) {
      const stats = await serverStats(proxy.socket, server);
      expect(Number(stats.hrsp_2xx), `${server} answered 2xx`).toBeGreaterThan(0);
      expect(Number(stats.hrsp_4xx), `${server} answered 4xx`).toBeGreaterThan(0);
    }

    // Only writes are limited, and other clients have their own count.
    expect((await send(`${proxy.url}/notes`, '127.0.0.2')).status).toBe(200);
    expect((await addNote(proxy.url, '127.0.0.3')).status).toBe(201);

    // Against one instance directly, a client gets exactly the same: 30 notes, then 429.
    const direct: Answer[] = [];
    for (let index = 0; index < limit + 2; index++) {
      direct.push(await addNote(`http://127.0.0.1:${ports[0]}`, '127.0.0.4'));
    }
    expect(direct.map((answer) => answer.status)).toEqual([...Array<number>(limit).fill(201), 429, 429]);

    await proxy.stop();
    for (const instance of instances) instance.child.kill('SIGTERM');
    await within('the instances exit', Promise.all(instances.map((instance) => instance.exited)));
  }, 180_000);
  it('holds a session across the instances: opened on one, seen by all, ended on all at logout', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const instances: Instance[] = [];
    for (const port of ports) instances.push(await startInstance(port));
    const proxy = await startHaproxy(ports, 'haproxy-sessions');
    const json = (body: unknown, headers: Record<string, string> = {}) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const ada = { email: 'ada@example.com', password: 'correct horse battery staple' };
    expect((await fetch(`${proxy.url}/auth/signup`, json(ada))).status).toBe(201);
    const login = await fetch(`${proxy.url}/auth/login`, json(ada));
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');

    // Round-robin sends these to every instance: each finds the session in the shared Redis.
    const seen: number[] = [];
    for (let index = 0; index < 9; index++) seen.push((await fetch(`${proxy.url}/me`, { headers: { cookie } })).status);
    expect(seen).toEqual(Array<number>(9).fill(200));
    for (const server of ['app1', 'app2', 'app3']) {
      expect(Number((await serverStats(proxy.socket, server)).hrsp_2xx), `${server} served`).toBeGreaterThan(0);
    }

    // Logged out through one instance (with the session's CSRF token): refused by all of them.
    const csrf = await fetch(`${proxy.url}/auth/csrf`, { headers: { cookie } });
    const { token } = (await csrf.json()) as { token: string };
    const withCsrf = [cookie, ...csrf.headers.getSetCookie().map((line) => line.split(';')[0])].join('; ');
    expect(
      (await fetch(`${proxy.url}/auth/logout`, json({}, { cookie: withCsrf, 'x-csrf-token': token }))).status,
    ).toBe(200);
    const after: number[] = [];
    for (let index = 0; index < 6; index++)
      after.push((await fetch(`${proxy.url}/me`, { headers: { cookie } })).status);
    expect(after).toEqual(Array<number>(6).fill(401));

    await proxy.stop();
    for (const instance of instances) instance.child.kill('SIGTERM');
    await within('the instances exit', Promise.all(instances.map((instance) => instance.exited)));
  }, 180_000);
});
