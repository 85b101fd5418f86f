import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Duration, parseDuration } from '@framework/core';
import type { Cache } from 'drizzle-orm/cache/core';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/**
 * Where a client connects: a PostgreSQL URL (postgres.js), or PGlite, the embedded PostgreSQL,
 * in a directory or in memory.
 *
 * @example
 * ```ts
 * const target: ClientTarget = process.env.DATABASE_URL
 *   ? { kind: 'postgres', url: process.env.DATABASE_URL }
 *   : { kind: 'pglite', dataDir: '.data/db' };
 * ```
 */
export type ClientTarget =
  | {
      kind: 'postgres';
      url: string;
      /** Largest number of connections. Default 10. */
      max?: number;
      /**
       * Milliseconds (or a string with a unit: `'30s'`) before an idle connection closes. Default
       * 30 s. (Bare numbers were seconds before; now every time option of the package is milliseconds.)
       */
      idleTimeout?: Duration;
      /** Milliseconds (or a string with a unit: `'5s'`) to wait for a connection. Default 5 s (was seconds before). */
      connectTimeout?: Duration;
      /** Server settings for every connection (e.g. `statement_timeout`). */
      connection?: Record<string, string | number | boolean>;
      drizzle?: ClientDrizzleOptions;
    }
  | {
      kind: 'pglite';
      /** A directory to keep the database in; in memory when absent. */
      dataDir?: string;
      /** Session settings applied when it opens (recorded; PGlite does not enforce timeouts). */
      settings?: Record<string, string | number>;
      drizzle?: ClientDrizzleOptions;
    };

/**
 * drizzle-orm hooks for the client's drizzle database: a `logger` that sees each statement's SQL
 * and a query `cache` (see drizzle-orm's `cache/core`).
 *
 * @example
 * ```ts
 * const client = await openClient({ kind: 'pglite', drizzle: { logger: { logQuery: (sql) => console.log(sql) } } });
 * ```
 */
export interface ClientDrizzleOptions {
  logger?: Logger;
  cache?: Cache;
}

/** A dedicated session: every statement runs on the same connection (advisory locks, LISTEN). */
export interface SqlSession {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/**
 * One connection pool (postgres.js) or one embedded database (PGlite), with the same small API on
 * both: raw queries, a dedicated session, LISTEN/NOTIFY, and the drizzle database on top.
 *
 * @example
 * ```ts
 * const client = await openClient({ kind: 'pglite' });
 * const [row] = await client.query<{ one: number }>('select 1 as one');
 * await client.close();
 * ```
 */
export interface SqlClient {
  readonly kind: 'postgres' | 'pglite';
  /** drizzle over this client (no schema: the model layer brings its own tables). */
  readonly drizzle: PgDatabase<PgQueryResultHKT>;
  /** Runs one statement with `$1`-style parameters; resolves to its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs `fn` on one connection held for its duration (PGlite has only one). */
  session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Listens on a NOTIFY channel; resolves once listening, to a function that stops. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Closes the pool or the embedded database; waits for running queries up to `timeout`:
   * milliseconds, or a string with a unit (`'5s'`). Default 5 s.
   */
  close(timeout?: Duration): Promise<void>;
}

/**
 * Opens a client for a target.
 *
 * @example
 * ```ts
 * const client = await openClient({ kind: 'postgres', url: 'postgres://app@127.0.0.1:5432/app' });
 * ```
 */
export async function openClient(target: ClientTarget): Promise<SqlClient> {
  const { client, ready } = openClientNow(target);
  await ready;
  return client;
}

/**
 * Opens a client without waiting: statements sent before `ready` resolves wait for it (PGlite
 * loads its WebAssembly; postgres.js connects lazily). `ready` rejects when PGlite cannot open.
 */
export function openClientNow(target: ClientTarget): { client: SqlClient; ready: Promise<void> } {
  if (target.kind === 'postgres') return { client: openPostgres(target), ready: Promise.resolve() };
  return openPglite(target.dataDir, target.drizzle, target.settings);
}

function openPglite(
  dataDir: string | undefined,
  options: ClientDrizzleOptions = {},
  settings: Record<string, string | number> = {},
): { client: SqlClient; ready: Promise<void> } {
  // PGlite creates its own directory but not the ones above it (`.data/` on a fresh clone).
  if (dataDir !== undefined && !dataDir.includes('://')) mkdirSync(dirname(resolve(dataDir)), { recursive: true });
  const pg = new PGlite(dataDir);
  // The same session settings as a postgres.js connection gets. PGlite records them (SHOW and
  // current_setting() report them) but cannot enforce the timeouts: PostgreSQL fires them from a
  // timer signal, which its single-threaded WebAssembly build does not have.
  const ready = (async () => {
    await pg.waitReady;
    for (const [name, value] of Object.entries(settings)) {
      await pg.query('select set_config($1, $2, false)', [name, String(value)]);
    }
  })();
  const query = async <Row>(text: string, params?: readonly unknown[]): Promise<Row[]> =>
    (await pg.query<Row>(text, params === undefined ? undefined : [...params])).rows;
  // PGlite serves one session at a time; serialize dedicated sessions so they stay dedicated.
  let queue: Promise<unknown> = Promise.resolve();
  const client: SqlClient = {
    kind: 'pglite',
    drizzle: drizzlePglite(pg, options),
    query,
    session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
      const run = queue.then(() => fn({ query }));
      queue = run.catch(() => undefined);
      return run;
    },
    async listen(channel, onPayload) {
      const stop = await pg.listen(channel, onPayload);
      return () => stop();
    },
    async close() {
      await ready.catch(() => undefined);
      if (!pg.closed) await pg.close();
    },
  };
  return { client, ready };
}

/** Seconds before a connection retries after the `attempt`-th failure in a row: 50 ms doubling, at most 1 s. */
function reconnectDelay(attempt: number): number {
  return Math.min(1, 0.05 * 2 ** Math.max(0, attempt - 1));
}

function openPostgres(target: Extract<ClientTarget, { kind: 'postgres' }>): SqlClient {
  const options: postgres.Options<{}> = {
    max: target.max ?? 10,
    // postgres.js counts these in seconds.
    idle_timeout: parseDuration(target.idleTimeout ?? '30s', 'openClient() idleTimeout') / 1000,
    connect_timeout: parseDuration(target.connectTimeout ?? '5s', 'openClient() connectTimeout') / 1000,
    connection: target.connection,
    // postgres.js waits before reconnecting, longer after each failure and for the whole pool (up
    // to 20 s): requests sent during an outage then wait long after the server is back. Capped at 1 s.
    backoff: reconnectDelay,
    onnotice: () => {},
  };
  const sql = postgres(target.url, options);
  const run = async <Row>(
    executor: postgres.Sql | postgres.ReservedSql,
    text: string,
    params: readonly unknown[] | undefined,
  ): Promise<Row[]> => {
    const rows = await executor.unsafe(
      text,
      params === undefined ? [] : ([...params] as postgres.ParameterOrJSON<never>[]),
    );
    return [...rows] as Row[];
  };
  return {
    kind: 'postgres',
    drizzle: drizzlePostgres(sql, target.drizzle ?? {}),
    query: (text, params) => run(sql, text, params),
    async session(fn) {
      const reserved = await sql.reserve();
      try {
        return await fn({ query: (text, params) => run(reserved, text, params) });
      } finally {
        reserved.release();
      }
    },
    async listen(channel, onPayload) {
      const request = await sql.listen(channel, onPayload);
      return () => request.unlisten();
    },
    async close(timeout = '5s') {
      await sql.end({ timeout: parseDuration(timeout, 'close() timeout') / 1000 });
    },
  };
}
