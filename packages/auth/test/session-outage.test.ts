import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { describe, expect, it, vi } from 'vitest';
import { AuthStoreUnavailableError } from '../src/errors.ts';
import { createSessionService } from '../src/session/session-service.ts';
import { RedisAuthStore } from '../src/store/redis.ts';
import { afterThisTest, ownRedis, quiet, SECRET, sessionCookie } from './helpers.ts';

// A Redis of this file's own (persistent, so sessions survive its restart), killed and frozen here.
const redis = ownRedis();
const pid = redis.pid;

const eventually = (assertion: () => Promise<void>) => vi.waitFor(assertion, { timeout: 15_000, interval: 100 });

/** An app as the auth plugin builds it: sessions in a RedisAuthStore on the app's connection (app.redis). */
async function redisSessionApp() {
  const app = createApp({ logger: false, csrf: false }).use(cache({ redis: redis.url(), env: {}, logger: quiet }));
  const store = new RedisAuthStore(app.redis!, { prefix: 'outage:' });
  const sessions = createSessionService({ secret: SECRET }, store);
  let failure: unknown;
  app.post('/login', async (ctx) => ({ id: (await sessions.create(ctx, { id: '1', roles: [] })).id }));
  app.get('/me', async (ctx) => {
    try {
      const session = await sessions.load(ctx);
      return { user: session?.user.id ?? null };
    } catch (error) {
      failure = error;
      throw error;
    }
  });
  afterThisTest(async () => {
    await store.close();
    await app.stop();
  });
  await app.ready();
  const login = await app.request('/login', { method: 'POST' });
  expect(login.status).toBe(200);
  const cookie = sessionCookie(login).pair;
  const me = () => app.request('/me', { headers: { cookie } });
  expect(await (await me()).json()).toEqual({ user: '1' });
  return { app, me, failure: () => failure };
}

describe('sessions with Redis down: 503 with Retry-After, never "no session"', () => {
  it('Redis killed: load rejects with AuthStoreUnavailableError, answered 503 at once; restarted: the session is back', async () => {
    const { me, failure } = await redisSessionApp();
    await redis.services().halt('redis', { signal: 'SIGKILL' });
    const started = Date.now();
    const response = await me();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await response.json()).toMatchObject({ code: 'FW_AUTH_STORE_UNAVAILABLE' });
    expect(failure()).toBeInstanceOf(AuthStoreUnavailableError);
    await redis.services().resume('redis');
    await eventually(async () => expect(await (await me()).json()).toEqual({ user: '1' }));
  });

  it('Redis frozen (SIGSTOP): 503 within the command timeout, not a hung request; thawed: signed in again', async () => {
    const { me } = await redisSessionApp();
    process.kill(pid(), 'SIGSTOP');
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const response = await me();
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    process.kill(pid(), 'SIGCONT');
    await eventually(async () => expect(await (await me()).json()).toEqual({ user: '1' }));
  });
});
