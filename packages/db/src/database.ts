import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Breaker,
  type BreakerOptions,
  checkOptions,
  createBreaker,
  type Duration,
  type KnownOptions,
  parseDuration,
} from '@framework/core';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { type ClientTarget, openClientNow, type SqlClient } from './client.ts';
import { type ConnectionLabel, labelUrl } from './connection-errors.ts';
import { DatabaseUnavailableError, notSent, QueryError, toDatabaseError } from './errors.ts';
import { Model, type ModelContext } from './model.ts';
import { type PerformanceOptions, QueryTools } from './perf/query-tools.ts';
import { indexRelations, type RelationMap } from './relations.ts';
import type { AnyTable, Executor } from './types.ts';

/**
 * A connection, as a URL or as parts (host, port, database, user, password).
 *
 * @example
 * ```ts
 * const primary: ConnectionOptions = { host: 'localhost', port: 5432, database: 'app', user: 'app', password: process.env.DB_PASSWORD };
 * ```
 */
export type ConnectionOptions =
  | string
  | { host: string; port?: number; database?: string; user?: string; password?: string; ssl?: boolean };

/**
 * Options for `createDatabase()`. With neither `url`, `primary` nor `DATABASE_URL`, the database
 * is PGlite: in memory under `NODE_ENV=test`, else in `.data/pglite` (or `pglite.dataDir`).
 *
 * @example
 * ```ts
 * const db = await createDatabase({
 *   schema: { users, posts },
 *   replicas: [process.env.REPLICA_URL!],
 *   readPreference: 'replica',
 *   pool: { max: 10, idleTimeout: 30_000, connectionTimeout: 2_000 },
 *   retry: { attempts: 3, backoff: 'exponential', maxDelay: 5_000 },
 * });
 * ```
 */
export interface DatabaseOptions<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}>
  extends PerformanceOptions {
  /** The tables, by the name the models get: `{ users }` → `db.users`. */
  schema: S;
  /**
   * Relations by schema key, loaded with `.with()`:
   * `{ posts: { author: belongsTo(users, 'userId'), comments: hasMany(comments, 'postId') } }`.
   */
  relations?: R;
  /** The primary's URL. Default: `DATABASE_URL`. */
  url?: string;
  /** The primary, as a URL or parts (same as `url`). */
  primary?: ConnectionOptions;
  /** Read replicas; reads outside transactions go there per `readPreference`. */
  replicas?: readonly ConnectionOptions[];
  /** `primary` (default without replicas), `replica` (reads on replicas, round robin), `nearest` (the replica that answered fastest at start). */
  readPreference?: 'primary' | 'replica' | 'nearest';
  /**
   * The postgres.js pool. `max` connections (default 10), each running one statement at a time;
   * the times are milliseconds as bare numbers, or strings with a unit (`'30s'`): `idleTimeout`
   * before an idle one closes (default 30 s); `connectionTimeout` to open one (default 5 s);
   * `queryTimeout` the app waits for an answer before giving up on the server (default: the
   * statement timeout + 1 s: a live server cancels the statement by then, so no answer means it
   * hangs). A statement given up on answers 503 and counts towards the circuit breaker.
   */
  pool?: { max?: number; idleTimeout?: Duration; connectionTimeout?: Duration; queryTimeout?: Duration };
  /**
   * The circuit breaker in front of a PostgreSQL pool: after `failures` statements in a row that
   * found the server unreachable or not answering (default 3), statements fail at once with 503 and
   * `Retry-After`, and a `select 1` on a fresh connection checks the server every `coolDown`
   * (milliseconds, or a string with a unit; default 1 s) until it answers. `false` turns it off.
   * PGlite has none.
   */
  breaker?: { failures?: number; coolDown?: Duration } | false;
  /** Where the breaker's line at loss and line at recovery go (the plugin passes `app.logger`). Default: nowhere. */
  logger?: BreakerOptions['logger'];
  /**
   * Whether constraint errors name the table and the constraint (409/422 bodies and messages).
   * Default: the app's `exposeErrors` in the plugin (`createApp({ exposeErrors })`); for `createDatabase()`,
   * true only when `NODE_ENV` is `development` or `test`.
   * Without, they keep only the column names, which are the client's own fields.
   */
  exposeErrors?: boolean;
  /**
   * Retries of statements that never reached the server (connection refused, connect timeout):
   * `maxDelay` is milliseconds (or a string with a unit), the longest wait between two (default 5 s).
   */
  retry?: { attempts?: number; backoff?: 'exponential' | 'fixed'; maxDelay?: Duration };
  /** PGlite settings when no URL is given. */
  pglite?: { dataDir?: string | false };
  /** Force a driver: `pglite` ignores any URL and `DATABASE_URL`; `postgres` requires a URL. Default: by URL. */
  driver?: 'postgres' | 'pglite';
  /** Server settings for each connection. Default: a 30 s statement timeout and a 60 s idle-in-transaction timeout. */
  settings?: Record<string, string | number>;
}

/** What every database has besides its models. */
export interface DatabaseApi<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}> {
  /** `postgres` (postgres.js) or `pglite`. */
  readonly kind: 'postgres' | 'pglite';
  /** The primary's client: raw queries, sessions, LISTEN. */
  readonly client: SqlClient;
  /** Plain drizzle on the primary (or the transaction), for anything the models do not cover. */
  readonly drizzle: PgDatabase<PgQueryResultHKT>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws.
   * Inside, `trx.savepoint(fn)` (or a nested `transaction`) rolls back only its own part.
   */
  transaction<T>(fn: (trx: Database<S, R>) => Promise<T>): Promise<T>;
  /** A nested transaction (SAVEPOINT); outside a transaction, a transaction. */
  savepoint<T>(fn: (trx: Database<S, R>) => Promise<T>): Promise<T>;
  /** A raw parameterised statement on the primary. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Checks the primary answers; resolves to the round-trip time in ms, rejects when it does not. */
  ping(): Promise<number>;
  /**
   * Closes every connection, waiting up to `timeout` for running queries: milliseconds, or a
   * string with a unit (`'5s'`). Default 5 s. (It was seconds before.)
   */
  close(timeout?: Duration): Promise<void>;
  /**
   * Runs `fn` as one N+1 detection scope, like a request: the same query run `threshold` times in it
   * logs a warning. For jobs, scripts and tests (the plugin opens one per request by itself).
   */
  track<T>(fn: () => Promise<T>): Promise<T>;
  /** Drops cached query results tagged with any of `tags` (table names or `.cache()` tags); inside a transaction, once it commits. */
  invalidate(tags: readonly string[]): Promise<void>;
}

/**
 * A database: one `Model` per table of the schema, plus transactions and raw access.
 *
 * @example
 * ```ts
 * const db: Database<{ users: typeof users }> = await createDatabase({ schema: { users } });
 * ```
 */
export type Database<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}> = {
  readonly [K in keyof S]: Model<S[K], S, R, K>;
} & DatabaseApi<S, R>;

const RESERVED = new Set([
  'kind',
  'client',
  'drizzle',
  'transaction',
  'savepoint',
  'query',
  'ping',
  'close',
  'then',
  'track',
  'invalidate',
]);

function urlOf(connection: ConnectionOptions): string {
  if (typeof connection === 'string') return connection;
  const auth = connection.user
    ? `${encodeURIComponent(connection.user)}${connection.password ? `:${encodeURIComponent(connection.password)}` : ''}@`
    : '';
  const query = connection.ssl ? '?sslmode=require' : '';
  return `postgres://${auth}${connection.host}:${connection.port ?? 5432}/${encodeURIComponent(connection.database ?? 'postgres')}${query}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every key of `DatabaseOptions`, for `checkOptions` (the plugin adds `migrations`). */
export const DATABASE_OPTIONS: KnownOptions<DatabaseOptions<Record<string, AnyTable>>> = {
  schema: true,
  relations: true,
  url: true,
  primary: true,
  replicas: true,
  readPreference: true,
  pool: true,
  breaker: true,
  logger: true,
  exposeErrors: true,
  retry: true,
  pglite: true,
  driver: true,
  settings: true,
  slowQuery: true,
  detectNPlusOne: true,
  observe: true,
  cache: true,
};

/**
 * Checks the keys of `createDatabase()`'s options and of its nested objects (`where` names the call).
 *
 * @example
 * ```ts
 * checkDatabaseOptions('createDatabase()', { schema, pol: {} }); // throws: ... Did you mean "pool"?
 * ```
 */
export function checkDatabaseOptions(where: string, options: object, known: object = DATABASE_OPTIONS): void {
  checkOptions(where, options, known as KnownOptions<object>);
  const nested = options as DatabaseOptions<Record<string, AnyTable>>;
  checkOptions(`${where.slice(0, -1)}{ pool })`, nested.pool, {
    max: true,
    idleTimeout: true,
    connectionTimeout: true,
    queryTimeout: true,
  });
  checkOptions(`${where.slice(0, -1)}{ retry })`, nested.retry, { attempts: true, backoff: true, maxDelay: true });
  checkOptions(`${where.slice(0, -1)}{ pglite })`, nested.pglite, { dataDir: true });
  if (nested.breaker !== false) {
    checkOptions(`${where.slice(0, -1)}{ breaker })`, nested.breaker, { failures: true, coolDown: true });
  }
  if (typeof nested.primary === 'object') {
    checkOptions(`${where.slice(0, -1)}{ primary })`, nested.primary, {
      host: true,
      port: true,
      database: true,
      user: true,
      password: true,
      ssl: true,
    });
  }
}

/** Milliseconds of a `statement_timeout` setting (`30000`, `'30s'`, `'1min'`); undefined when it cannot tell. */
function millis(value: string | number | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$/.exec(value);
  if (match === null) return undefined;
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * unit;
}

/**
 * What `openDatabase()` returns: the database at once, and what start-up must wait for.
 *
 * @example
 * ```ts
 * const { db, ready }: OpenedDatabase<{ users: typeof users }, {}> = openDatabase({ schema: { users } });
 * await ready;
 * ```
 */
export interface OpenedDatabase<S extends Record<string, AnyTable>, R extends RelationMap<S>> {
  db: Database<S, R>;
  /** Resolves once PGlite is loaded and `nearest` measured its replicas. */
  ready: Promise<void>;
  /** Where the primary's URL came from and where it points (postgres only). */
  label: ConnectionLabel | undefined;
  /** True when PGlite was chosen because no URL was configured (not with `driver: 'pglite'`). */
  implicitPglite: boolean;
}

/** Watches one wait on the server; a transaction pauses it while its callback runs. */
interface Watch {
  pause(): void;
  resume(): void;
}
const watches = new AsyncLocalStorage<Watch>();

/**
 * Runs `fn` and rejects with a 503 when the server has not answered within `ms`: a live server
 * answers or cancels the statement (statement_timeout) before then. While a transaction's
 * callback runs (`Watch.pause()`), the clock stops: its statements have their own.
 */
function withDeadline<T>(ms: number | undefined, fn: () => Promise<T>, gate?: Gate): Promise<T> {
  if (ms === undefined) return gate === undefined ? fn() : gate.run(fn, () => false);
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    // Settled: a transaction callback that ends later (its connection closed under it) must not
    // start the clock again.
    let settled = false;
    const expire = () => {
      expired = true;
      settled = true;
      reject(new DatabaseUnavailableError(new Error(`PostgreSQL did not answer within ${ms} ms`)));
    };
    const watch: Watch = {
      pause: () => clearTimeout(timer),
      resume: () => {
        clearTimeout(timer);
        if (!settled) timer = setTimeout(expire, ms);
      },
    };
    watch.resume();
    watches
      .run(watch, () => (gate === undefined ? fn() : gate.run(fn, () => expired)))
      .then(
        (value) => {
          settled = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
  });
}

/**
 * At most `max` statements (or transactions) at once on a pool of `max` connections, the others
 * waiting in line. postgres.js, when no connection is idle, queues a statement behind the one
 * running on a busy connection (pipelining), so a fast query can wait for a slow one; with this
 * line in front, a connection is always idle or still to open when a statement reaches it.
 */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  /** Runs `fn` once a place is free; skips it when `abandoned()` became true while it waited. */
  run<T>(fn: () => Promise<T>, abandoned: () => boolean): Promise<T> {
    if (this.active < this.max) {
      this.active++;
      return this.settle(fn);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => {
      if (abandoned()) {
        this.release();
        throw new DatabaseUnavailableError(new Error('gave up waiting for a free connection'));
      }
      return this.settle(fn);
    });
  }

  private async settle<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    // The place passes to the next in line as it is.
    if (next !== undefined) next();
    else this.active--;
  }
}

/** `select 1` on a new connection of its own, closed afterwards, within `timeout` ms. */
async function probeServer(url: string, settings: postgres.Options<{}>, timeout: number): Promise<void> {
  const once = postgres(url, { ...settings, max: 1, connect_timeout: Math.max(1, Math.ceil(timeout / 1000)) });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      once`select 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await once.end({ timeout: 0 });
  }
}

/**
 * Connects and returns the database. Without a URL it runs on PGlite, so an app needs no database
 * server to start.
 *
 * @example
 * ```ts
 * import { createDatabase, table, serial, varchar, integer } from '@framework/db';
 *
 * const users = table('users', {
 *   id: serial('id').primaryKey(),
 *   email: varchar('email', { length: 255 }).notNull().unique(),
 *   age: integer('age'),
 * });
 * const db = await createDatabase({ schema: { users } });
 * const adults = await db.users.where({ age: { gte: 18 } }).orderBy('email');
 * ```
 */
export async function createDatabase<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}>(
  options: DatabaseOptions<S, R>,
): Promise<Database<S, R>> {
  checkDatabaseOptions('createDatabase()', options);
  const opened = openDatabase(options);
  try {
    await opened.ready;
  } catch (error) {
    await opened.db.close(0).catch(() => undefined);
    throw error;
  }
  return opened.db;
}

/**
 * Builds the database synchronously (the plugin's `app.db` exists right after `use()`); start-up
 * awaits `ready`. Options are not checked here.
 *
 * @example
 * ```ts
 * const opened = openDatabase({ schema: { users } });
 * app.onReady(() => opened.ready);
 * ```
 */
export function openDatabase<S extends Record<string, AnyTable>, R extends RelationMap<S> = {}>(
  options: DatabaseOptions<S, R>,
): OpenedDatabase<S, R> {
  const relations = indexRelations(options.schema, options.relations ?? {});
  for (const name of Object.keys(options.schema)) {
    if (RESERVED.has(name)) {
      throw new QueryError(
        'FW_DB_RESERVED_NAME',
        `The schema key "${name}" is taken by the database API (${[...RESERVED].join(', ')}); rename the key, e.g. { ${name}s: ${name} }.`,
      );
    }
  }
  const setting =
    options.url !== undefined
      ? 'the url option'
      : options.primary !== undefined
        ? 'the primary option'
        : 'DATABASE_URL';
  const primaryUrl =
    options.driver === 'pglite'
      ? undefined
      : (options.url ?? (options.primary === undefined ? process.env.DATABASE_URL : urlOf(options.primary)));
  if (options.driver === 'postgres' && (primaryUrl === undefined || primaryUrl === '')) {
    throw new QueryError(
      'FW_DB_NO_URL',
      "driver: 'postgres' needs a URL: pass url, primary, or set DATABASE_URL (e.g. postgres://user:pass@localhost:5432/app).",
    );
  }
  const exposeErrors = options.exposeErrors ?? ['development', 'test'].includes(process.env.NODE_ENV ?? '');
  const tools = new QueryTools(options);
  const settings = {
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
    ...options.settings,
  };
  const pool = options.pool ?? {};
  const connectMs = parseDuration(pool.connectionTimeout ?? '5s', 'createDatabase() pool.connectionTimeout');
  const idleMs =
    pool.idleTimeout === undefined ? undefined : parseDuration(pool.idleTimeout, 'createDatabase() pool.idleTimeout');
  // The connection error's label counts in seconds.
  const connectTimeout = connectMs / 1000;
  const targetFor = (url: string): ClientTarget => ({
    kind: 'postgres',
    url,
    max: pool.max,
    idleTimeout: idleMs,
    connectTimeout: connectMs,
    connection: settings,
    drizzle: tools.drizzle,
  });
  let target: ClientTarget;
  let label: ConnectionLabel | undefined;
  if (primaryUrl !== undefined && primaryUrl !== '') {
    label = labelUrl(primaryUrl, setting, connectTimeout);
    target = targetFor(primaryUrl);
  } else {
    const dir = options.pglite?.dataDir;
    target = {
      kind: 'pglite',
      dataDir: dir === false ? undefined : (dir ?? (process.env.NODE_ENV === 'test' ? undefined : '.data/pglite')),
      settings,
      drizzle: tools.drizzle,
    };
  }
  const opened = openClientNow(target);
  const primary = opened.client;
  const replicas: SqlClient[] = [];
  if (target.kind === 'postgres') {
    (options.replicas ?? []).forEach((replica, index) => {
      const url = urlOf(replica);
      labelUrl(url, `replicas[${index}]`, connectTimeout);
      replicas.push(openClientNow(targetFor(url)).client);
    });
  }
  const preference = options.readPreference ?? (replicas.length > 0 ? 'replica' : 'primary');
  let nearest: SqlClient | undefined;
  const measured = async () => {
    if (preference !== 'nearest' || replicas.length === 0) return;
    const timed = await Promise.all(
      replicas.map(async (client) => {
        const started = performance.now();
        await client.query('select 1').catch(() => undefined);
        return { client, ms: performance.now() - started };
      }),
    );
    nearest = timed.sort((a, b) => a.ms - b.ms)[0]?.client;
  };
  const ready = opened.ready.then(measured);
  // Awaited by start-up; a failure here must not surface as an unhandled rejection before that.
  ready.catch(() => undefined);
  let turn = 0;
  const readClient = (): SqlClient => {
    if (preference === 'primary' || replicas.length === 0) return primary;
    if (nearest !== undefined) return nearest;
    turn = (turn + 1) % replicas.length;
    return replicas[turn] ?? primary;
  };
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const maxDelay = parseDuration(options.retry?.maxDelay ?? '5s', 'createDatabase() retry.maxDelay');
  const backoff = options.retry?.backoff ?? 'exponential';
  const queryTimeout =
    target.kind === 'pglite'
      ? undefined
      : pool.queryTimeout !== undefined
        ? parseDuration(pool.queryTimeout, 'createDatabase() pool.queryTimeout')
        : (millis(settings.statement_timeout) ?? 30_000) + 1_000;
  // Top-level statements and transactions only: the statements inside a transaction run on its connection.
  const gate = target.kind === 'postgres' ? new Gate(options.pool?.max ?? 10) : undefined;
  const breakerOptions = options.breaker === false ? undefined : (options.breaker ?? {});
  const probeUrl = primaryUrl;
  const breaker: Breaker | undefined =
    target.kind === 'postgres' && breakerOptions !== undefined && probeUrl !== undefined
      ? createBreaker({
          name: 'PostgreSQL',
          failures: breakerOptions.failures ?? 3,
          coolDown: parseDuration(breakerOptions.coolDown ?? '1s', 'createDatabase() breaker.coolDown'),
          probeTimeout: Math.max(1_000, connectTimeout * 1000),
          probe: () => probeServer(probeUrl, { onnotice: () => {} }, Math.max(1_000, connectTimeout * 1000)),
          logger: options.logger,
          hint: 'retry shortly',
        })
      : undefined;
  const unavailable = (error: unknown) => error instanceof DatabaseUnavailableError;
  // breaker.run() by hand: the statement starts in this package's frames only, so the slow-query
  // log and N+1 detection still find the app's call site.
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (breaker === undefined) return fn();
    if (!breaker.allow()) throw breaker.unavailable();
    try {
      const value = await fn();
      breaker.succeeded();
      return value;
    } catch (error) {
      if (unavailable(error)) breaker.failed(error);
      else breaker.succeeded();
      throw error;
    }
  };
  const convert = (error: unknown) => toDatabaseError(error, { expose: exposeErrors });

  const run = <T>(executor: () => Executor, fn: (executor: Executor) => Promise<T>): Promise<T> =>
    guard(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withDeadline(queryTimeout, () => fn(executor()), gate);
        } catch (error) {
          // Only a statement that never reached the server is retried: one that may have run is not.
          if (attempt < attempts && notSent(error)) {
            await sleep(Math.min(maxDelay, backoff === 'fixed' ? 100 : 100 * 2 ** (attempt - 1)));
            continue;
          }
          throw convert(error);
        }
      }
    });

  const context: ModelContext = tools.observe({
    relations,
    client: primary,
    reader: () => readClient(),
    writer: () => primary,
    run: (kind, fn) => run(kind === 'read' ? readClient : () => primary, fn),
  });
  const db = assemble<S, R>(
    options.schema,
    primary,
    context,
    async (timeout) => {
      breaker?.close();
      await Promise.all([primary, ...replicas].map((client) => client.close(timeout)));
    },
    primary.drizzle,
    false,
    tools,
    {
      guard,
      open: () => true,
      deadline: (fn) => withDeadline(queryTimeout, fn),
      gated: (fn) => withDeadline(queryTimeout, fn, gate),
      convert,
    },
  );
  return { db, ready, label, implicitPglite: target.kind === 'pglite' && options.driver !== 'pglite' };
}

/** How statements outside the models reach the server: through the breaker, within the deadline. */
interface Guards {
  guard<T>(fn: () => Promise<T>): Promise<T>;
  /** False once the enclosing transaction ended: its statements must not reach the driver. */
  open(): boolean;
  /** Within the deadline (statements inside a transaction). */
  deadline<T>(fn: () => Promise<T>): Promise<T>;
  /** Within the deadline, in line for one of the pool's connections (top-level statements). */
  gated<T>(fn: () => Promise<T>): Promise<T>;
  convert(error: unknown): unknown;
}

function assemble<S extends Record<string, AnyTable>, R extends RelationMap<S>>(
  schema: S,
  primary: SqlClient,
  context: ModelContext,
  close: (timeout?: Duration) => Promise<void>,
  drizzle: PgDatabase<PgQueryResultHKT>,
  inTransaction: boolean,
  tools: QueryTools,
  guards: Guards,
): Database<S, R> {
  const transaction = <T>(fn: (trx: Database<S, R>) => Promise<T>): Promise<T> =>
    tools.transaction(context, (executor) => {
      // Set once the transaction settled, also when postgres.js rejected it because its connection
      // closed while the callback still runs. A statement sent on that connection afterwards
      // schedules a write on a socket postgres.js has dropped, which throws out of a timer and
      // ends the process (postgres.js 3.4.x, porsager/postgres#1154, #1208): so the callback's
      // later statements are refused here, before they reach the driver.
      let ended = false;
      const parentOpen = guards.open;
      const open = () => !ended && parentOpen();
      const running: Promise<T> = executor.drizzle.transaction(async (tx: PgDatabase<PgQueryResultHKT>) => {
        // BEGIN answered: the clock of the wait on the server stops while the callback runs (its
        // statements have their own) and starts again for COMMIT or ROLLBACK.
        const watch = watches.getStore();
        watch?.pause();
        const bound: Executor = { drizzle: tx };
        const inner: ModelContext = tools.observe({
          relations: context.relations,
          client: context.client,
          reader: () => bound,
          writer: () => bound,
          run: async (_kind, step) => {
            if (!open()) {
              throw new DatabaseUnavailableError(
                new Error('the transaction already ended (its connection closed); its statements were not sent'),
              );
            }
            try {
              return await guards.deadline(() => step(bound));
            } catch (error) {
              throw guards.convert(error);
            }
          },
        });
        let outcome: { value: T } | { error: unknown };
        try {
          outcome = {
            value: await fn(assemble<S, R>(schema, primary, inner, close, tx, true, tools, { ...guards, open })),
          };
        } catch (error) {
          outcome = { error };
        } finally {
          watch?.resume();
        }
        if (primary.kind === 'postgres') {
          // Once the pending callbacks ran, `ended` tells whether the connection closed under the
          // callback. postgres.js would then send ROLLBACK (or COMMIT) on it, the write that ends
          // the process: the callback's promise is left pending instead. The transaction has
          // already failed for its caller; the closures are collected with the dead connection.
          await new Promise((resolve) => setImmediate(resolve));
          if (!open()) return new Promise<T>(() => {});
        }
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      });
      running.then(
        () => {
          ended = true;
        },
        () => {
          ended = true;
        },
      );
      return running;
    });
  /** One statement outside the models: breaker, deadline, the pool's line, typed errors. */
  const server = <T>(fn: () => Promise<T>): Promise<T> =>
    guards.guard(async () => {
      try {
        return await guards.gated(fn);
      } catch (error) {
        throw guards.convert(error);
      }
    });
  const api: DatabaseApi<S, R> = {
    kind: primary.kind,
    client: primary,
    drizzle,
    transaction,
    savepoint: transaction,
    query: async (text, params) => {
      if (inTransaction) {
        throw new QueryError(
          'FW_DB_RAW_IN_TRANSACTION',
          'trx.query() would run outside the transaction; use trx.drizzle.execute(sql`...`) inside a transaction.',
        );
      }
      // The observer outermost, awaiting all the way down: the slow-query log finds the caller
      // through the async stack.
      try {
        return await tools.raw(text, params, () => server(() => primary.query(text, params)));
      } catch (error) {
        throw guards.convert(error);
      }
    },
    ping: async () => {
      const started = performance.now();
      await server(() => primary.query('select 1'));
      return performance.now() - started;
    },
    close,
    track: (fn) => tools.track(fn),
    invalidate: (tags) => tools.invalidate(tags),
  };
  const models: Record<string, Model<AnyTable>> = {};
  for (const [name, table] of Object.entries(schema)) models[name] = new Model(table, context);
  return Object.assign(models, api) as Database<S, R>;
}
