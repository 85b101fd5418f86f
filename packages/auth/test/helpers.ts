import { randomUUID } from 'node:crypto';
import { cache } from '@framework/cache';
import { type AppOptions, createApp } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { AuthenticationError } from '../src/errors.ts';
import type { SessionOptions } from '../src/session/options.ts';
import { createSessionService } from '../src/session/session-service.ts';
import { MemoryAuthStore, type MemoryAuthStoreOptions } from '../src/store/memory.ts';
import { RedisAuthStore } from '../src/store/redis.ts';
import type { AuthStore } from '../src/store/types.ts';

/** The two stores every behaviour runs on: the in-process default, and the real Redis of test-services. */
export const STORES = ['memory', 'redis'] as const;
export type StoreKind = (typeof STORES)[number];

/** The test Redis's URL; throws with what to run when the tests were started without test-services. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'REDIS_URL is not set: run these tests through test-services (`pnpm test`, or ' +
        '`../../tooling/test-services/bin/test-services.mjs --redis -- npx vitest run <file>`).',
    );
  }
  return url;
}

/**
 * The app's Redis options in tests: the request-path defaults of @framework/cache with a generous
 * command timeout, as these tests check behaviour on a machine running other tests too. The outage
 * tests check the timeouts themselves, on Redis servers and connections of their own.
 */
export function testRedisOptions(url = redisUrl()) {
  return { url, commandTimeout: 5_000 };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup().catch(() => {})));
});

/** Runs `cleanup` after the current test, whatever its outcome. */
export function afterThisTest(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

/** A plain ioredis client on the test Redis, with no offline queue, closed after the test. */
export function rawRedis(url = redisUrl()): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, commandTimeout: 5_000, lazyConnect: false });
  client.on('error', () => {});
  afterThisTest(() => client.quit().catch(() => client.disconnect()));
  return client;
}

/**
 * A store of `kind`, empty: on Redis under a prefix no other test uses. Closed after the test (the
 * Redis client with it).
 */
export function makeStore(kind: StoreKind, memory: MemoryAuthStoreOptions = {}): AuthStore {
  const store: AuthStore =
    kind === 'memory'
      ? new MemoryAuthStore(memory)
      : new RedisAuthStore(rawRedis(), { prefix: `test:${randomUUID()}:` });
  afterThisTest(async () => store.close?.());
  return store;
}

/** A logger that drops the lines (the Redis connection's loss and recovery). */
export const quiet = { warn: () => {}, info: () => {} };

/**
 * An app for `kind` (with `options` for createApp): on Redis it uses `cache({ redis })`, and `store` is a `RedisAuthStore` on the
 * app's own connection (`app.redis`), as the auth plugin does. The app is stopped after the test.
 */
export function makeApp(kind: StoreKind, options: AppOptions = {}) {
  if (kind === 'memory') {
    const app = createApp({ logger: false, ...options });
    const store: AuthStore = new MemoryAuthStore();
    afterThisTest(async () => {
      await store.close?.();
      await app.stop();
    });
    return { app, store };
  }
  const app = createApp({ logger: false, ...options }).use(
    cache({ redis: testRedisOptions(), env: {}, logger: quiet }),
  );
  const client = app.redis;
  if (client === undefined) throw new Error('cache({ redis }) gave no app.redis');
  const store: AuthStore = new RedisAuthStore(client, { prefix: `test:${randomUUID()}:` });
  afterThisTest(async () => {
    await store.close?.();
    await app.stop();
  });
  return { app, store };
}

// Sessions through a real app

export const SECRET = 'test-session-secret-0123456789abcdef';
export const OLD_SECRET = 'old-session-secret-0123456789abcdefgh';

/**
 * An app whose routes call the session service directly, as the auth plugin will: login, /me,
 * logout, data, privilege change, "log out other devices" and role changes.
 */
export function sessionApp(kind: StoreKind, options: SessionOptions = {}) {
  // CSRF is the plugin's wiring (tested there); these tests look at sessions alone.
  const { app, store } = makeApp(kind, { csrf: false });
  const sessions = createSessionService({ secret: SECRET, ...options }, store);
  const current = async (ctx: Parameters<typeof sessions.load>[0]) => {
    const session = await sessions.load(ctx);
    if (session === undefined) throw new AuthenticationError('Sign in first.', 'Session realm="test"');
    return session;
  };
  app.post('/login/:user', async (ctx) => {
    const session = await sessions.create(ctx, { id: ctx.params.user, roles: ['admin', 'editor'], name: 'Ada' });
    return { id: session.id, idOf: sessions.idOf(ctx) };
  });
  app.get('/me', async (ctx) => {
    const session = await current(ctx);
    return { id: session.id, user: session.user, data: session.data, expiresAt: session.expiresAt };
  });
  app.get('/id', (ctx) => ({ id: sessions.idOf(ctx) ?? null }));
  app.post('/logout', async (ctx) => {
    await sessions.destroy(ctx);
    return { idOf: sessions.idOf(ctx) ?? null };
  });
  app.post('/cart/:item', async (ctx) => {
    const session = await current(ctx);
    session.data.cart = [...((session.data.cart as string[] | undefined) ?? []), ctx.params.item];
    await sessions.save(session);
    return { cart: session.data.cart };
  });
  app.post('/elevate', async (ctx) => {
    const session = await current(ctx);
    session.user = { ...session.user, roles: [...session.user.roles, 'sudo'] };
    const next = await sessions.regenerate(ctx, session);
    return { id: next.id, roles: next.user.roles };
  });
  app.post('/logout-others', async (ctx) => {
    const session = await current(ctx);
    return { ended: await sessions.destroyUser(session.user.id, session.id) };
  });
  app.post('/logout-everywhere/:user', async (ctx) => ({ ended: await sessions.destroyUser(ctx.params.user) }));
  app.post('/revoke-roles/:user', async (ctx) => {
    await sessions.updateUser({ id: ctx.params.user, roles: [], name: 'Ada' });
    return { ok: true };
  });
  return { app, store, sessions };
}

/** The session cookie a response set (`name=value`), and its attributes as sent. */
export function sessionCookie(response: Response): { pair: string; name: string; value: string; header: string } {
  const header = response.headers.getSetCookie().find((line) => /^(__Host-)?sid=/.test(line));
  if (header === undefined) throw new Error(`no session cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  const pair = header.split(';')[0]!;
  const eq = pair.indexOf('=');
  return { pair, name: pair.slice(0, eq), value: pair.slice(eq + 1), header };
}

/** Logs `user` in over HTTP and resolves the `Cookie` header value to send back. */
export async function login(app: ReturnType<typeof sessionApp>['app'], user = '1', cookie?: string) {
  const response = await app.request(`/login/${user}`, {
    method: 'POST',
    headers: cookie === undefined ? {} : { cookie },
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { id: string; idOf: string };
  return { cookie: sessionCookie(response).pair, id: body.id, idOf: body.idOf, response };
}

/** GET /me with `cookie`. */
export function me(app: ReturnType<typeof sessionApp>['app'], cookie: string, path = '/me') {
  return app.request(path, { headers: { cookie } });
}

/**
 * A Redis of the calling test file's own (persistent, so data survives its restart), for outage
 * tests to kill, freeze and restart: started before the file's tests, thawed and restarted after
 * each one, stopped after the file.
 */
export function ownRedis() {
  let services: Services | undefined;
  const started = () => {
    if (services === undefined) throw new Error('ownRedis() is read before its beforeAll ran.');
    return services;
  };
  const pid = () => started().services.redis?.pid ?? 0;
  beforeAll(async () => {
    services = await startServices({ redis: { persistent: true }, env: {}, log: () => {} });
  });
  afterAll(() => services?.stop());
  afterEach(async () => {
    try {
      process.kill(pid(), 'SIGCONT');
    } catch {}
    await services?.resume('redis').catch(() => {});
  });
  return { services: started, pid, url: () => started().env.REDIS_URL ?? '' };
}
