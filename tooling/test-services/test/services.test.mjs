import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServices } from '../src/index.mjs';
import { freePort, PortInUseError } from '../src/process.mjs';
import { findRedis, startRedis } from '../src/redis.mjs';

const CLI = fileURLToPath(new URL('../bin/test-services.mjs', import.meta.url));
const quiet = () => {};
// The tests start their own servers even when the developer's shell has these set.
const cleanEnv = { ...process.env, DATABASE_URL: '', REDIS_URL: '' };

// On a fresh machine this is where the servers get installed (apt-get, as root), which may take longer
// than a test may; later starts take about a second.
beforeAll(async () => {
  const services = await startServices({ postgres: true, redis: true, env: cleanEnv });
  await services.stop();
}, 600_000);

/** @type {Array<() => Promise<void>>} */
const cleanups = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** @param {import('../src/index.d.ts').StartServicesOptions} options */
async function start(options) {
  const services = await startServices({ log: quiet, env: cleanEnv, ...options });
  cleanups.push(() => services.stop());
  return services;
}

/** @param {string} url */
function sql(url) {
  const client = postgres(url, { max: 1, onnotice: quiet });
  cleanups.push(() => client.end({ timeout: 1 }));
  return client;
}

/** @param {string} url */
function redis(url) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  cleanups.push(async () => client.disconnect());
  return client;
}

/** @param {number} port */
function connects(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, onStdout?: (text: string, child: import('node:child_process').ChildProcess) => void }} [options]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>}
 */
function runCli(args, { env = cleanEnv, onStdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('startServices', () => {
  it('starts PostgreSQL and Redis that real clients can use, and stop() removes them', async () => {
    const services = await startServices({ postgres: true, redis: true, log: quiet, env: cleanEnv });
    cleanups.push(() => services.stop());
    const { postgres: pg, redis: rd } = services.services;
    expect(services.env.DATABASE_URL).toBe(`postgres://postgres@127.0.0.1:${pg?.port}/postgres`);
    expect(services.env.REDIS_URL).toBe(`redis://127.0.0.1:${rd?.port}`);

    const db = sql(/** @type {string} */ (services.env.DATABASE_URL));
    expect(await db`select 1 as one`).toEqual([{ one: 1 }]);
    await db.end();

    const cache = redis(/** @type {string} */ (services.env.REDIS_URL));
    await cache.connect();
    await cache.set('greeting', 'hello');
    expect(await cache.get('greeting')).toBe('hello');
    cache.disconnect();

    expect(existsSync(/** @type {string} */ (pg?.dir))).toBe(true);
    expect(existsSync(/** @type {string} */ (rd?.dir))).toBe(true);
    await services.stop();
    await services.stop(); // a second call is harmless

    expect(await connects(/** @type {number} */ (pg?.port))).toBe(false);
    expect(await connects(/** @type {number} */ (rd?.port))).toBe(false);
    expect(existsSync(/** @type {string} */ (pg?.dir))).toBe(false);
    expect(existsSync(/** @type {string} */ (rd?.dir))).toBe(false);
    expect(() => process.kill(/** @type {number} */ (pg?.pid), 0)).toThrow();
    expect(() => process.kill(/** @type {number} */ (rd?.pid), 0)).toThrow();
  });

  it('gives parallel calls their own ports and data', async () => {
    const [a, b] = await Promise.all([start({ postgres: true, redis: true }), start({ postgres: true, redis: true })]);
    expect(a.services.postgres?.port).not.toBe(b.services.postgres?.port);
    expect(a.services.redis?.port).not.toBe(b.services.redis?.port);
    expect(a.services.postgres?.dir).not.toBe(b.services.postgres?.dir);

    const dbA = sql(/** @type {string} */ (a.env.DATABASE_URL));
    const dbB = sql(/** @type {string} */ (b.env.DATABASE_URL));
    await dbA`create table only_in_a (id int)`;
    expect(await dbA`select to_regclass('only_in_a') is not null as exists`).toEqual([{ exists: true }]);
    expect(await dbB`select to_regclass('only_in_a') is not null as exists`).toEqual([{ exists: false }]);

    const cacheA = redis(/** @type {string} */ (a.env.REDIS_URL));
    const cacheB = redis(/** @type {string} */ (b.env.REDIS_URL));
    await cacheA.set('key', 'a');
    expect(await cacheA.get('key')).toBe('a');
    expect(await cacheB.get('key')).toBe(null);
  });

  it('reuses DATABASE_URL / REDIS_URL from the environment instead of starting a server', async () => {
    /** @type {string[]} */
    const messages = [];
    const services = await startServices({
      postgres: true,
      redis: true,
      env: { DATABASE_URL: 'postgres://me@db.example:5432/mine' },
      log: (message) => messages.push(message),
    });
    cleanups.push(() => services.stop());
    expect(services.env.DATABASE_URL).toBe('postgres://me@db.example:5432/mine');
    expect(services.services.postgres).toBeUndefined();
    expect(services.services.redis).toBeDefined();
    expect(messages.filter((m) => m.includes('DATABASE_URL'))).toEqual([
      'using DATABASE_URL from the environment instead of starting PostgreSQL',
    ]);
  });
});

describe('persistent Redis', () => {
  it('keeps its data across halt (SIGKILL) and resume with { persistent: true }', async () => {
    const services = await startServices({ redis: { persistent: true }, env: {}, log: () => {} });
    try {
      const client = new Redis(services.env.REDIS_URL ?? '', { lazyConnect: true });
      await client.connect();
      await client.set('kept', 'yes');
      client.disconnect();
      await services.halt('redis', { signal: 'SIGKILL' });
      await services.resume('redis');
      const again = new Redis(services.env.REDIS_URL ?? '', { lazyConnect: true });
      await again.connect();
      expect(await again.get('kept')).toBe('yes');
      again.disconnect();
    } finally {
      await services.stop();
    }
  });
});

describe('ports', () => {
  /** Occupies a loopback port, as a parallel run that grabbed the same free port would. */
  async function takenPort() {
    const blocker = createServer((socket) => socket.destroy());
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', () => resolve(undefined)));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve(undefined))));
    return /** @type {import('node:net').AddressInfo} */ (blocker.address()).port;
  }

  it('retries on another port when the picked one is taken before the server binds it', async () => {
    const taken = await takenPort();
    /** @type {number[]} */
    const picked = [];
    const pickPort = async () => {
      const port = picked.length === 0 ? taken : await freePort();
      picked.push(port);
      return port;
    };
    const server = await startRedis(/** @type {string} */ (findRedis()), { timeoutMs: 10_000, pickPort });
    cleanups.push(() => server.stop());
    expect(picked).toHaveLength(2);
    expect(server.port).toBe(picked[1]);
    expect(server.port).not.toBe(taken);
  });

  it('gives up after a few attempts with the server output in the error', async () => {
    const taken = await takenPort();
    const error = await startRedis(/** @type {string} */ (findRedis()), {
      timeoutMs: 10_000,
      pickPort: async () => taken,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect(error.message).toMatch(/Redis exited with code 1 during startup. Its output:[\s\S]*address already in use/i);
  });
});

describe('halt and resume', () => {
  /** @param {number} pid */
  const isRunning = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('Redis: a client sees the server go away and reconnects to it on the same URL', async () => {
    const services = await start({ redis: true });
    const url = /** @type {string} */ (services.env.REDIS_URL);
    const info = /** @type {import('../src/index.d.ts').ServiceInfo} */ (services.services.redis);
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    cleanups.push(async () => client.disconnect());
    await vi.waitFor(() => client.ping(), { timeout: 5000, interval: 20 });
    await client.set('key', 'before');
    const firstPid = info.pid;

    await services.halt('redis', { signal: 'SIGKILL' });
    expect(isRunning(firstPid)).toBe(false);
    expect(await connects(info.port)).toBe(false);
    await vi.waitFor(() => expect(client.status).not.toBe('ready'));
    await expect(client.ping()).rejects.toThrow();

    await services.resume('redis');
    expect(services.env.REDIS_URL).toBe(url);
    expect(info.pid).not.toBe(firstPid);
    expect(isRunning(info.pid)).toBe(true);
    expect(await vi.waitFor(() => client.ping(), { timeout: 5000, interval: 20 })).toBe('PONG');
    // Redis persists nothing (--save '', no AOF): it comes back empty.
    expect(await client.get('key')).toBe(null);

    // stop() stops the resumed process, not the halted one.
    await services.stop();
    expect(isRunning(info.pid)).toBe(false);
    expect(await connects(info.port)).toBe(false);
    expect(existsSync(info.dir)).toBe(false);
  });

  it('PostgreSQL: data survives a fast shutdown and a crash; stop() after halt() deletes the dir', async () => {
    const services = await start({ postgres: true });
    const info = /** @type {import('../src/index.d.ts').ServiceInfo} */ (services.services.postgres);
    const db = sql(/** @type {string} */ (services.env.DATABASE_URL));
    await db`create table kept (id int)`;
    await db`insert into kept values (1)`;

    await services.halt('postgres');
    await expect(db`select 1`).rejects.toThrow();
    await services.resume('postgres');
    expect(await db`select id from kept`).toEqual([{ id: 1 }]);

    await services.halt('postgres', { signal: 'SIGKILL' });
    expect(await connects(info.port)).toBe(false);
    await services.resume('postgres');
    expect(await db`select id from kept`).toEqual([{ id: 1 }]);

    await services.halt('postgres');
    await services.stop();
    expect(existsSync(info.dir)).toBe(false);
  });

  it('resume() fails clearly when the port was taken meanwhile, and works once it is free', async () => {
    const services = await start({ redis: true });
    const info = /** @type {import('../src/index.d.ts').ServiceInfo} */ (services.services.redis);
    await services.halt('redis');
    const blocker = createServer((socket) => socket.destroy());
    await new Promise((resolve) => blocker.listen(info.port, '127.0.0.1', () => resolve(undefined)));
    const closeBlocker = () => new Promise((resolve) => blocker.close(() => resolve(undefined)));
    cleanups.push(async () => {
      if (blocker.listening) await closeBlocker();
    });

    await expect(services.resume('redis')).rejects.toThrow(
      `resume('redis'): port ${info.port} was taken by another process while Redis was halted, and it must ` +
        "come back on that port for REDIS_URL to stay valid. Free the port and call resume('redis') again.",
    );
    await closeBlocker();
    await services.resume('redis');
    expect(await connects(info.port)).toBe(true);
    expect(services.env.REDIS_URL).toBe(`redis://127.0.0.1:${info.port}`);
  });

  it('rejects halt() and resume() out of order, on servers it did not start, and after stop()', async () => {
    const services = await start({
      postgres: true,
      redis: true,
      env: { ...cleanEnv, DATABASE_URL: 'postgres://me@db.example:5432/mine' },
    });
    await expect(services.halt('postgres')).rejects.toThrow(
      "halt('postgres'): PostgreSQL was not started by startServices() but taken from DATABASE_URL",
    );
    await expect(services.resume('redis')).rejects.toThrow(
      "resume('redis'): Redis is running; call halt('redis') first.",
    );

    const halting = services.halt('redis');
    await expect(services.halt('redis')).rejects.toThrow("halt('redis'): Redis is still being halted");
    await expect(services.resume('redis')).rejects.toThrow("resume('redis'): Redis is still being halted");
    await halting;
    await expect(services.halt('redis')).rejects.toThrow(
      "halt('redis'): Redis is already halted; call resume('redis') first.",
    );

    // stop() waits for a resume() under way, then stops the resumed server.
    const resuming = services.resume('redis');
    await services.stop();
    await resuming;
    const info = /** @type {import('../src/index.d.ts').ServiceInfo} */ (services.services.redis);
    expect(isRunning(info.pid)).toBe(false);
    expect(existsSync(info.dir)).toBe(false);
    await expect(services.resume('redis')).rejects.toThrow(
      "resume('redis'): the services were stopped; call it before stop().",
    );

    const none = await start({});
    await expect(none.halt('redis')).rejects.toThrow(
      "halt('redis'): Redis was not started; pass { redis: true } to startServices().",
    );
  });
});

describe('test-services CLI', () => {
  it('passes REDIS_URL and the exit code through', async () => {
    const result = await runCli(['--redis', '--', 'node', '-e', 'process.exit(process.env.REDIS_URL ? 3 : 4)']);
    expect(result.code).toBe(3);
  });

  it('passes DATABASE_URL and REDIS_URL and stops the servers afterwards', async () => {
    const result = await runCli([
      '--postgres',
      '--redis',
      '--',
      'node',
      '-e',
      'console.log(JSON.stringify({ db: process.env.DATABASE_URL, redis: process.env.REDIS_URL }))',
    ]);
    expect(result.code).toBe(0);
    const urls = JSON.parse(result.stdout);
    expect(urls.db).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(urls.redis).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await connects(Number(new URL(urls.db).port))).toBe(false);
    expect(await connects(Number(new URL(urls.redis).port))).toBe(false);
  });

  it('reuses a preset REDIS_URL and says so on stderr', async () => {
    const result = await runCli(['--redis', '--', 'node', '-e', 'console.log(process.env.REDIS_URL)'], {
      env: { ...cleanEnv, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('redis://127.0.0.1:1');
    expect(result.stderr).toContain('using REDIS_URL from the environment');
  });

  it('stops the servers when the command crashes', async () => {
    const result = await runCli([
      '--redis',
      '--',
      'node',
      '-e',
      'console.log(process.env.REDIS_URL); process.kill(process.pid, "SIGKILL")',
    ]);
    expect(result.signal).toBe('SIGKILL');
    expect(await connects(Number(new URL(result.stdout.trim()).port))).toBe(false);
  });

  it('forwards SIGTERM to the command and stops the servers', async () => {
    const result = await runCli(
      ['--redis', '--', 'node', '-e', 'console.log(process.env.REDIS_URL); setInterval(() => {}, 1000)'],
      {
        onStdout: (text, child) => {
          if (text.includes('\n')) child.kill('SIGTERM');
        },
      },
    );
    expect(result.signal).toBe('SIGTERM');
    expect(await connects(Number(new URL(result.stdout.trim()).port))).toBe(false);
  });

  it('fails with a usage message without a command', async () => {
    const result = await runCli(['--redis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('usage: test-services');
  });
});
