import { createApp } from '@framework/core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseTimeoutError, DatabaseUnavailableError, database, toDatabaseError } from '../src/index.ts';
import { freshUrl } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

describe('statements the server gave up on answer 503/504 with what to do, not 500 (issue 12)', () => {
  let url: string;
  let admin: postgres.Sql;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    url = (await freshUrl('postgres')) ?? '';
    admin = postgres(url, { max: 2, onnotice: () => {} });
    for (const statement of DDL) await admin.unsafe(statement);
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await admin.end();
  });

  async function appWith(settings: Record<string, string | number>, connectUrl = url) {
    const app = createApp({ logger: false }).use(
      database({
        url: connectUrl,
        schema: { users, posts },
        settings,
        pool: { max: 3 },
        breaker: false,
        slowQuery: false,
      }),
    );
    app.get('/sleep/:ms', async (ctx) => ctx.db.query('select pg_sleep($1::int / 1000.0) as slept', [ctx.params.ms]));
    app.get('/users', async (ctx) => ctx.db.users.limit(5));
    app.post('/slow-transaction', async (ctx) =>
      ctx.db.transaction(async (trx) => {
        await trx.users.insert({ email: `idle-${Date.now()}@example.com` });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return trx.users.count();
      }),
    );
    await app.ready();
    stops.push(() => app.stop());
    return app;
  }

  it('57014: a statement past statement_timeout answers 504 FW_DB_TIMEOUT with Retry-After', async () => {
    const app = await appWith({ statement_timeout: 200 });
    const res = await app.request('/sleep/2000');
    expect(res.status).toBe(504);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({
      code: 'FW_DB_TIMEOUT',
      detail: expect.stringContaining('ran longer than the statement timeout; retry, ask for less data'),
    });
  });

  it('55P03: a statement that waits past lock_timeout for a lock answers 504', async () => {
    const app = await appWith({ lock_timeout: 200 });
    const holder = await admin.reserve();
    try {
      await holder`begin`;
      await holder`lock table users in access exclusive mode`;
      const res = await app.request('/users');
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({
        code: 'FW_DB_TIMEOUT',
        detail: expect.stringContaining('gave up waiting for a lock'),
      });
    } finally {
      await holder`rollback`;
      holder.release();
    }
  });

  it('25P03: a transaction left idle past idle_in_transaction_session_timeout answers 503/504, never 500', async () => {
    const app = await appWith({ idle_in_transaction_session_timeout: 300 });
    const res = await app.request('/slow-transaction', { method: 'POST' });
    const body = await res.clone().text();
    expect([503, 504], body).toContain(res.status);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await res.json()) as { code: string }).toMatchObject({ code: expect.stringMatching(/^FW_DB_/) });
    expect(Number((await admin`select count(*)::int as n from users where email like 'idle-%'`)[0]?.n)).toBe(0);
  });

  it('57P01: a session terminated by the server (admin_shutdown) answers 503', async () => {
    const app = await appWith({});
    const pending = app.request('/sleep/5000');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const name = new URL(url).pathname.slice(1);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid() and query like 'select pg_sleep%'`;
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'FW_DB_UNAVAILABLE' });
  });

  it('53300: no free connection slot for the role (too_many_connections) answers 503', async () => {
    const role = `fw_limited_${Date.now()}`;
    await admin.unsafe(`create role ${role} login connection limit 1`);
    const limited = new URL(url);
    limited.username = role;
    const app = await appWith({}, limited.toString());
    const first = app.request('/sleep/1500');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await app.request('/sleep/0');
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ code: 'FW_DB_UNAVAILABLE' });
    expect((await first).status).toBe(200);
  });

  it('maps the codes that cannot be provoked here the same way (57P02, 57P03, 53100, 08006)', () => {
    for (const code of ['57P02', '57P03', '53100', '53200', '08006', '08001']) {
      expect(toDatabaseError(Object.assign(new Error(code), { code }))).toBeInstanceOf(DatabaseUnavailableError);
    }
    expect(toDatabaseError(Object.assign(new Error('x'), { code: '25P03' }))).toBeInstanceOf(DatabaseTimeoutError);
  });
});
