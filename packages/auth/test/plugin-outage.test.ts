import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { describe, expect, it, vi } from 'vitest';
import { auth } from '../src/index.ts';
import { ownRedis } from './helpers.ts';

// The auth plugin on a Redis of this file's own, killed, frozen and restarted while clients keep
// sending requests: every answer is bounded (503 with Retry-After while Redis is away, never a
// hang, never let through), service comes back by itself, the loss and the recovery are one log
// line each, and app.stop() keeps its deadline.
const redis = ownRedis();
const pid = redis.pid;

interface Line {
  level: string;
  message: string;
}

async function outageApp() {
  const lines: Line[] = [];
  const record = (level: string) => (_fields: object, message: string) => lines.push({ level, message });
  const logger = { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error') };
  const users = new Map([['1', { id: '1', roles: ['user'] }]]);
  const app = createApp({ logger, csrf: false, server: { shutdownTimeout: '3s' } })
    .use(cache({ redis: redis.url(), env: {} }))
    .use(
      auth({
        strategies: {
          session: { secret: 'outage-session-secret-0123456789abcdef' },
          jwt: { secret: 'outage-jwt-secret-0123456789abcdef-0123', refresh: { enabled: true } },
        },
        store: 'redis',
        findUser: (id: string) => users.get(id),
      }),
    );
  app.post('/login', async (ctx) => {
    const user = users.get('1');
    if (user === undefined) return undefined;
    const session = await ctx.login(user);
    const { tokens } = await ctx.login(user, { strategy: 'jwt' });
    return { session: session.sessionId, tokens };
  });
  app.get('/me', { auth: ['session', 'jwt'], handler: (ctx) => ({ id: ctx.user.id }) });
  const { url } = await app.start({ port: 0, host: '127.0.0.1' });
  const login = await fetch(`${url}/login`, { method: 'POST' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { tokens } = (await login.json()) as { tokens: { accessToken: string } };
  const asSession = { headers: { cookie } };
  const asToken = { headers: { authorization: `Bearer ${tokens.accessToken}` } };
  expect((await fetch(`${url}/me`, asSession)).status).toBe(200);
  expect((await fetch(`${url}/me`, asToken)).status).toBe(200);
  return { app, url, lines, asSession, asToken };
}

/** Four clients sending requests in turn (session and token) until stopped; every answer is kept with its time. */
function load(url: string, requests: RequestInit[]) {
  const answers: { status: number; ms: number; started: number; kind: number; retryAfter: string | null }[] = [];
  let running = true;
  const client = async (index: number) => {
    while (running) {
      const started = Date.now();
      const res = await fetch(`${url}/me`, {
        ...requests[index % requests.length],
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      answers.push({
        status: res.status,
        ms: Date.now() - started,
        started,
        kind: index % requests.length,
        retryAfter: res.headers.get('retry-after'),
      });
    }
  };
  const done = Promise.all([0, 1, 2, 3].map(client));
  return {
    answers,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const eventually = (assertion: () => void | Promise<void>) => vi.waitFor(assertion, { timeout: 20_000, interval: 100 });

describe('auth() with its Redis store killed, frozen and restarted under load', () => {
  it('killed: 503 with Retry-After at once, never 401 nor 500; restarted: 200 again; one log line each way', async () => {
    const { app, url, lines, asSession, asToken } = await outageApp();
    const traffic = load(url, [asSession, asToken]);
    await eventually(() => expect(traffic.answers.length).toBeGreaterThan(20));
    await redis.services().halt('redis', { signal: 'SIGKILL' });
    const killedAt = traffic.answers.length;
    await eventually(() =>
      expect(traffic.answers.slice(killedAt).filter((a) => a.status === 503).length).toBeGreaterThan(20),
    );
    await redis.services().resume('redis');
    const back = traffic.answers.length;
    await eventually(() =>
      expect(traffic.answers.slice(back).filter((a) => a.status === 200).length).toBeGreaterThan(20),
    );
    await traffic.stop();

    const during = traffic.answers.slice(killedAt, back);
    // A client is never told it signed out (401) nor sees a crash (500) while the store is away: the
    // answer is 503 with Retry-After (or 200 for a request that read the store just before the kill).
    expect(during.filter((a) => a.status !== 503 && a.status !== 200)).toEqual([]);
    for (const answer of during) {
      if (answer.status === 503) expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(answer.ms).toBeLessThan(2_500);
    }
    // Once the loss is seen, neither a session nor a token is let through unchecked.
    for (const kind of [0, 1]) {
      const first = during.find((a) => a.kind === kind && a.status === 503);
      expect(first, `kind ${kind} got a 503`).toBeDefined();
      const after = during.filter(
        (a) => a.kind === kind && first !== undefined && a.started > first.started + first.ms,
      );
      expect(after.filter((a) => a.status !== 503)).toEqual([]);
    }
    const redisLines = lines.filter((line) => /redis/i.test(line.message));
    expect(
      redisLines.filter((line) => line.level === 'warn' || line.level === 'error').length,
      JSON.stringify(redisLines),
    ).toBe(1);
    expect(redisLines.filter((line) => line.level === 'info').length, JSON.stringify(redisLines)).toBe(1);
    await app.stop();
  }, 60_000);

  it('frozen (SIGSTOP): bounded 503s, and app.stop() keeps its deadline while Redis does not answer', async () => {
    const { app, url, asSession, asToken } = await outageApp();
    const traffic = load(url, [asSession, asToken]);
    await eventually(() => expect(traffic.answers.length).toBeGreaterThan(20));
    process.kill(pid(), 'SIGSTOP');
    const frozenAt = traffic.answers.length;
    await eventually(() =>
      expect(traffic.answers.slice(frozenAt).filter((a) => a.status === 503).length).toBeGreaterThan(10),
    );
    await traffic.stop();
    for (const answer of traffic.answers.slice(frozenAt)) {
      expect([200, 503]).toContain(answer.status); // a request already past the store may still finish
      expect(answer.ms).toBeLessThan(2_500);
    }
    const started = Date.now();
    await app.stop();
    expect(Date.now() - started).toBeLessThan(3_000 + 2_000);
    process.kill(pid(), 'SIGCONT');
  }, 60_000);
});
