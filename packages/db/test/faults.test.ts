import { createServer } from 'node:net';
import { createApp } from '@framework/core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database, DatabaseUnavailableError } from '../src/index.ts';
import { freshUrl } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('faults on a real PostgreSQL (SF-04, SF-05)', () => {
  let url: string;
  let admin: postgres.Sql;
  let db: Database<{ users: typeof users; posts: typeof posts }>;

  /** Terminates every session of the test database but the admin's: what a server restart does to clients. */
  const killSessions = async () => {
    const name = new URL(url).pathname.slice(1);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
  };

  beforeAll(async () => {
    const fresh = await freshUrl('postgres');
    if (fresh === undefined) throw new Error('no PostgreSQL URL');
    url = fresh;
    admin = postgres(url, { max: 1, onnotice: () => {} });
    db = await createDatabase({ driver: 'postgres', url, schema: { users, posts } });
    for (const statement of DDL) await db.query(statement);
  });
  afterAll(async () => {
    await db.close();
    await admin.end();
  });

  it('fails fast with a 503 error when the server cannot be reached, after retrying the connection', async () => {
    const port = await closedPort();
    const down = await createDatabase({
      driver: 'postgres',
      url: `postgres://postgres@127.0.0.1:${port}/app`,
      schema: { users },
      retry: { attempts: 3, backoff: 'exponential', maxDelay: 50 },
    });
    const started = Date.now();
    const error = await down.users.count().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(Date.now() - started).toBeLessThan(5000);
    await down.close();
  });

  it('answers 503 with Retry-After over HTTP while the database is down, never a 500', async () => {
    const port = await closedPort();
    // The plugin refuses to start without its server (issue-12-connection-errors); a database
    // created on its own connects lazily, like one whose server went away after the start.
    const down = await createDatabase({
      driver: 'postgres',
      url: `postgres://postgres@127.0.0.1:${port}/app`,
      schema: { users },
      retry: { attempts: 1 },
    });
    const app = createApp({ logger: false });
    app.onClose(() => down.close());
    app.get('/users', async () => down.users.limit(10));
    const res = await app.request('/users');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({
      code: 'FW_DB_UNAVAILABLE',
      detail: 'The database is unavailable; retry shortly.',
    });
    await app.stop().catch(() => {});
  });

  it('turns a connection lost mid-query into a 503 error, then reconnects for the next query', async () => {
    await db.users.insert({ email: 'before@example.com' });
    const slow = db.query('select pg_sleep(5)').catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await killSessions();
    expect(await slow).toBeInstanceOf(DatabaseUnavailableError);
    expect(await db.users.where({ email: 'before@example.com' }).count()).toBe(1);
  });

  it('leaves nothing half-committed when a transaction loses its connection (SF-05)', async () => {
    const outcome = await db
      .transaction(async (trx) => {
        await trx.users.insert({ email: 'half@example.com' });
        await killSessions();
        await trx.users.insert({ email: 'half-2@example.com' });
      })
      .catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
    expect(await db.users.where({ email: { like: 'half%' } }).count()).toBe(0);
  });
});
