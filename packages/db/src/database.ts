import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { type ClientTarget, openClient, type SqlClient } from './client.ts';
import { notSent, QueryError, toDatabaseError } from './errors.ts';
import { type AnyTable, type Executor, Model, type ModelContext } from './model.ts';
import { type PerformanceOptions, QueryTools } from './perf/query-tools.ts';
import { indexRelations, type RelationMap } from './relations.ts';

/**
 * A connection, as a URL or as parts (spec §4.7).
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
   * Relations by schema key (spec §4.2), loaded with `.with()`:
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
  pool?: { max?: number; idleTimeout?: number; connectionTimeout?: number };
  /** Retries of statements that never reached the server (connection refused, connect timeout). */
  retry?: { attempts?: number; backoff?: 'exponential' | 'fixed'; maxDelay?: number };
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
  /** Closes every connection, waiting up to `timeout` seconds for running queries. */
  close(timeout?: number): Promise<void>;
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
  const relations = indexRelations(options.schema, options.relations ?? {});
  for (const name of Object.keys(options.schema)) {
    if (RESERVED.has(name)) {
      throw new QueryError(
        'FW_DB_RESERVED_NAME',
        `The schema key "${name}" is taken by the database API (${[...RESERVED].join(', ')}); rename the key, e.g. { ${name}s: ${name} }.`,
      );
    }
  }
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
  const tools = new QueryTools(options);
  const settings = {
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
    ...options.settings,
  };
  const targetFor = (url: string): ClientTarget => ({
    kind: 'postgres',
    url,
    max: options.pool?.max,
    idleTimeout: options.pool?.idleTimeout === undefined ? undefined : options.pool.idleTimeout / 1000,
    connectTimeout: options.pool?.connectionTimeout === undefined ? undefined : options.pool.connectionTimeout / 1000,
    connection: settings,
    drizzle: tools.drizzle,
  });
  let target: ClientTarget;
  if (primaryUrl !== undefined && primaryUrl !== '') target = targetFor(primaryUrl);
  else {
    const dir = options.pglite?.dataDir;
    target = {
      kind: 'pglite',
      dataDir: dir === false ? undefined : (dir ?? (process.env.NODE_ENV === 'test' ? undefined : '.data/pglite')),
      drizzle: tools.drizzle,
    };
  }
  const primary = await openClient(target);
  const replicas: SqlClient[] = [];
  if (target.kind === 'postgres') {
    for (const replica of options.replicas ?? []) replicas.push(await openClient(targetFor(urlOf(replica))));
  }
  const preference = options.readPreference ?? (replicas.length > 0 ? 'replica' : 'primary');
  let nearest: SqlClient | undefined;
  if (preference === 'nearest' && replicas.length > 0) {
    const timed = await Promise.all(
      replicas.map(async (client) => {
        const started = performance.now();
        await client.query('select 1').catch(() => undefined);
        return { client, ms: performance.now() - started };
      }),
    );
    nearest = timed.sort((a, b) => a.ms - b.ms)[0]?.client;
  }
  let turn = 0;
  const readClient = (): SqlClient => {
    if (preference === 'primary' || replicas.length === 0) return primary;
    if (nearest !== undefined) return nearest;
    turn = (turn + 1) % replicas.length;
    return replicas[turn] ?? primary;
  };
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const maxDelay = options.retry?.maxDelay ?? 5_000;
  const backoff = options.retry?.backoff ?? 'exponential';

  const run = async <T>(executor: () => Executor, fn: (executor: Executor) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(executor());
      } catch (error) {
        // Only a statement that never reached the server is retried: one that may have run is not.
        if (attempt < attempts && notSent(error)) {
          await sleep(Math.min(maxDelay, backoff === 'fixed' ? 100 : 100 * 2 ** (attempt - 1)));
          continue;
        }
        throw toDatabaseError(error);
      }
    }
  };

  const context: ModelContext = tools.observe({
    relations,
    client: primary,
    reader: () => readClient(),
    writer: () => primary,
    run: (kind, fn) => run(kind === 'read' ? readClient : () => primary, fn),
  });
  return assemble<S, R>(
    options.schema,
    primary,
    context,
    async (timeout) => {
      await Promise.all([primary, ...replicas].map((client) => client.close(timeout)));
    },
    primary.drizzle,
    false,
    tools,
  );
}

function assemble<S extends Record<string, AnyTable>, R extends RelationMap<S>>(
  schema: S,
  primary: SqlClient,
  context: ModelContext,
  close: (timeout?: number) => Promise<void>,
  drizzle: PgDatabase<PgQueryResultHKT> = primary.drizzle,
  inTransaction = false,
  tools: QueryTools,
): Database<S, R> {
  const transaction = <T>(fn: (trx: Database<S, R>) => Promise<T>): Promise<T> =>
    tools.transaction(context, (executor) =>
      // A PgTransaction of either driver: a PgDatabase that also commits or rolls back.
      executor.drizzle.transaction(async (tx: PgDatabase<PgQueryResultHKT>) => {
        const bound: Executor = { drizzle: tx };
        const inner: ModelContext = tools.observe({
          relations: context.relations,
          client: context.client,
          reader: () => bound,
          writer: () => bound,
          run: async (_kind, step) => {
            try {
              return await step(bound);
            } catch (error) {
              throw toDatabaseError(error);
            }
          },
        });
        return fn(assemble<S, R>(schema, primary, inner, close, tx, true, tools));
      }),
    );
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
      try {
        return await tools.raw(text, params, () => primary.query(text, params));
      } catch (error) {
        throw toDatabaseError(error);
      }
    },
    ping: async () => {
      const started = performance.now();
      try {
        await primary.query('select 1');
      } catch (error) {
        throw toDatabaseError(error);
      }
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
