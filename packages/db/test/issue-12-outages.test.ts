import { readdirSync, readFileSync } from 'node:fs';
import { type App, createApp, type LogFields } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { database } from '../src/index.ts';
import { DDL, posts, users } from './schema.ts';

interface Line {
  level: string;
  fields: LogFields;
  message: string;
}

/** A logger that keeps its lines, to count what an outage logs. */
function recordingLogger() {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/**
 * Sends `signal` to the postmaster and to every process it forked: each connection has its own
 * backend process in its own session, so freezing the postmaster alone leaves open connections
 * answering.
 */
function signalServer(postmaster: number, signal: NodeJS.Signals): void {
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // "pid (comm) state ppid ...": the ppid is the second field after the closing parenthesis.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of [postmaster, ...children]) process.kill(pid, signal);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends GET `path` and returns its status and how long it took (ms). */
async function timed(app: App, path: string): Promise<{ status: number; ms: number; retryAfter: string | null }> {
  const started = performance.now();
  const res = await app.request(path);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}

/** Polls `path` every 100 ms until it answers 200; resolves to the ms that took. */
async function untilOk(app: App, path: string, limit: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limit) {
    if ((await timed(app, path)).status === 200) return performance.now() - started;
    await sleep(100);
  }
  return Number.POSITIVE_INFINITY;
}

describe('PostgreSQL outages (issue 12)', () => {
  let services: Services;
  let url: string;
  let pid = 0;
  let frozen = false;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    services = await startServices({ postgres: true, env: {}, log: () => {} });
    url = services.env.DATABASE_URL ?? '';
    const setup = createApp({ logger: false }).use(database({ url, schema: { users, posts } }));
    await setup.ready();
    for (const statement of DDL) await setup.db.query(statement);
    await setup.stop();
  });
  afterEach(async () => {
    if (frozen) signalServer(pid, 'SIGCONT');
    frozen = false;
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => {
    await services?.stop();
  });

  async function appFor(options: { max?: number; statementTimeout?: number; breaker?: boolean } = {}) {
    const { lines, logger } = recordingLogger();
    const app = createApp({ logger }).use(
      database({
        url,
        schema: { users, posts },
        pool: { max: options.max ?? 4 },
        settings: { statement_timeout: options.statementTimeout ?? 30_000 },
        slowQuery: false,
        retry: { attempts: 1 },
        ...(options.breaker === false ? { breaker: false as const } : {}),
      }),
    );
    app.get('/count', async (ctx) => ({ count: await ctx.db.users.count() }));
    app.get('/sleep', async (ctx) => ctx.db.query('select pg_sleep(3)'));
    await app.ready();
    stops.push(() => app.stop());
    return { app, lines };
  }

  it.each([
    ['with the breaker', true],
    ['without the breaker (every request reaches the pool)', false],
  ])(
    'answers 503 during a restart and is back within a few seconds of the server, %s',
    async (name, breaker) => {
      const { app, lines } = await appFor({ breaker });
      expect((await timed(app, '/count')).status).toBe(200);
      await services.halt('postgres', { signal: 'SIGKILL' });
      // 8 s of requests: long enough for postgres.js's own back-off to have grown past 20 s.
      const during: Array<{ status: number; ms: number; retryAfter: string | null }> = [];
      const outageStarted = performance.now();
      while (performance.now() - outageStarted < 8_000) {
        during.push(await timed(app, '/count'));
        await sleep(200);
      }
      await services.resume('postgres');
      const recovery = await untilOk(app, '/count', 20_000);
      pid = services.services.postgres?.pid ?? 0;
      console.info(
        `outage (${name}): ${during.length} requests, slowest ${Math.max(...during.map((r) => r.ms)).toFixed(0)} ms; back ${recovery.toFixed(0)} ms after resume`,
      );
      expect(during.every((r) => r.status === 503 && r.retryAfter !== null)).toBe(true);
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(3_000);
      expect(recovery).toBeLessThan(5_000);
      // One line at loss, one at recovery: not one per request.
      const logged = lines.map((line) => `${line.level}: ${line.message}`);
      const expected = breaker ? 1 : 0;
      expect(
        logged.filter((line) => line.startsWith('warn: PostgreSQL')),
        logged.join('\n'),
      ).toHaveLength(expected);
      expect(logged.filter((line) => line.startsWith('info: PostgreSQL is answering'))).toHaveLength(expected);
      // Not one line per failed request.
      expect(logged.filter((line) => line.startsWith('error:'))).toEqual([]);
    },
    60_000,
  );

  it('sends a fast query to a free connection, not behind a long statement on a busy one (pool max 2)', async () => {
    const { app } = await appFor({ max: 2 });
    // Both connections open.
    await Promise.all([timed(app, '/count'), timed(app, '/count')]);
    const slow = timed(app, '/sleep');
    await sleep(300);
    const fast = await Promise.all(Array.from({ length: 6 }, () => timed(app, '/count')));
    console.info(`fast queries beside pg_sleep(3): slowest ${Math.max(...fast.map((r) => r.ms)).toFixed(0)} ms`);
    expect(fast.every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...fast.map((r) => r.ms))).toBeLessThan(1_500);
    expect((await slow).status).toBe(200);
  });

  it('trips the breaker on a frozen server (SIGSTOP): a few slow 503s, then 503 at once, then 200 after SIGCONT', async () => {
    const { app, lines } = await appFor({ statementTimeout: 1_000 });
    expect((await timed(app, '/count')).status).toBe(200);
    pid = services.services.postgres?.pid ?? 0;
    signalServer(pid, 'SIGSTOP');
    frozen = true;
    // Each gives up after statement_timeout + 1 s: the breaker opens after three.
    const first = await Promise.all([timed(app, '/count'), timed(app, '/count'), timed(app, '/count')]);
    expect(first.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(Math.max(...first.map((r) => r.ms))).toBeLessThan(4_000);
    const fast: Array<{ status: number; ms: number; retryAfter: string | null }> = [];
    for (let i = 0; i < 10; i++) fast.push(await timed(app, '/count'));
    console.info(
      `frozen: first answers in ${Math.max(...first.map((r) => r.ms)).toFixed(0)} ms, then slowest ${Math.max(...fast.map((r) => r.ms)).toFixed(0)} ms`,
    );
    expect(fast.every((r) => r.status === 503 && r.retryAfter !== null)).toBe(true);
    expect(Math.max(...fast.map((r) => r.ms))).toBeLessThan(200);
    signalServer(pid, 'SIGCONT');
    frozen = false;
    const recovery = await untilOk(app, '/count', 20_000);
    console.info(`back ${recovery.toFixed(0)} ms after SIGCONT`);
    expect(recovery).toBeLessThan(5_000);
    expect(lines.filter((line) => line.level === 'warn' && line.message.includes('PostgreSQL'))).toHaveLength(1);
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([]);
    expect(
      lines.filter((line) => line.level === 'info' && line.message.includes('PostgreSQL is answering')),
    ).toHaveLength(1);
  }, 60_000);

  it('stops within its deadline while the server is frozen', async () => {
    const { app } = await appFor({ statementTimeout: 1_000 });
    expect((await timed(app, '/count')).status).toBe(200);
    const pending = timed(app, '/count');
    pid = services.services.postgres?.pid ?? 0;
    signalServer(pid, 'SIGSTOP');
    frozen = true;
    await sleep(100);
    const started = performance.now();
    await stops.pop()?.();
    const took = performance.now() - started;
    console.info(`app.stop() with PostgreSQL frozen: ${took.toFixed(0)} ms`);
    expect(took).toBeLessThan(8_000);
    expect([200, 503]).toContain((await pending).status);
  }, 30_000);
});
