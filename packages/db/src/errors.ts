import {
  ConflictError,
  defineErrorCodes,
  FrameworkError,
  HttpError,
  isHttpError,
  ServiceUnavailableError,
  UnprocessableEntityError,
} from '@framework/core';
import { MIGRATION_ERROR_CODES } from './migrations/errors.ts';
import { WATCH_ERROR_CODES } from './watch/watch-error.ts';

/**
 * Every code @framework/db's errors carry, each with what it means and what to do: the query API,
 * the connection, the constraint and availability answers, the migrator (`MIGRATION_ERROR_CODES`)
 * and live queries (`WATCH_ERROR_CODES`). Every error of the package is a `FrameworkError` from
 * @framework/core: `isFrameworkError(error, DB_ERROR_CODES)` is true for exactly these. (While the
 * database's circuit breaker is open, queries fail with core's `FW_ERR_DEPENDENCY_UNAVAILABLE`.)
 *
 * @example
 * ```ts
 * app.onError((error) => {
 *   if (isFrameworkError(error, DB_ERROR_CODES)) console.warn(error.code, DB_ERROR_CODES[error.code]);
 * });
 * ```
 */
export const DB_ERROR_CODES = defineErrorCodes('FW_DB_', {
  // Answers (HttpError codes)
  FW_DB_UNIQUE_VIOLATION: 'A unique constraint refused a write (409); use another value, or update the existing row.',
  FW_DB_FOREIGN_KEY_VIOLATION:
    'A foreign key refused a write (409): the referenced row is missing, or rows still refer to the one removed; create it first, or remove the referring rows.',
  FW_DB_CONSTRAINT_VIOLATION:
    'A NOT NULL or CHECK constraint, or a column type, refused a value (422); send a value the column accepts.',
  FW_DB_UNAVAILABLE:
    'The database could not be reached or dropped the connection (503 with Retry-After); retry after Retry-After, and check the database.',
  FW_DB_TIMEOUT:
    'The server cancelled the statement: statement, lock or idle-in-transaction timeout (504 with Retry-After); retry, ask for less, or raise the timeout in settings.',
  // Connection and configuration (start-up)
  FW_DB_NO_URL: "driver: 'postgres' has no URL; pass url or primary, or set DATABASE_URL.",
  FW_DB_INVALID_URL: 'A database URL cannot be read; write it as postgres://user:password@host:5432/database.',
  FW_DB_CONNECT_FAILED:
    'PostgreSQL was not reached or refused the connection at start-up; check the host, port, password and database the message names.',
  FW_DB_RESERVED_NAME: 'A schema key is taken by the database API; rename the key.',
  FW_DB_BAD_OPTION: 'A database option has an invalid value; pass one in the range the message gives.',
  FW_DB_BAD_DURATION: "A time option is not a duration; pass milliseconds or a string with a unit ('30s').",
  // Query API misuse (answered 500: a bug in the app)
  FW_DB_UNKNOWN_COLUMN: 'A query names a column its table does not have; use one of the columns the message lists.',
  FW_DB_UNKNOWN_TABLE: 'A query names a table it does not join; join it, or use one of the tables listed.',
  FW_DB_UNKNOWN_RELATION: 'with() names a relation that is not declared; declare it in createDatabase({ relations }).',
  FW_DB_BAD_RELATION: 'A relation declaration is malformed; fix it as the message says.',
  FW_DB_NO_PRIMARY_KEY: 'Relations need a single-column primary key on the table; add one.',
  FW_DB_BAD_WHERE: 'A where() filter is malformed; write it as the message says.',
  FW_DB_BAD_SELECT: 'A select() is malformed (unknown aggregate, bad field); write it as the message says.',
  FW_DB_BAD_WITH: 'with() is combined with select(), join() or groupBy(); drop them or load relations separately.',
  FW_DB_BAD_LIMIT: 'limit() or offset() got something other than a whole number ≥ 0; pass one.',
  FW_DB_BAD_CACHE_KEY: 'cache() got an empty or non-string key; pass a non-empty string, or omit it.',
  FW_DB_UNFILTERED_WRITE: 'update() or delete() has no where(); add one (where({}) to mean every row).',
  FW_DB_RAW_IN_TRANSACTION: 'trx.query() would run outside the transaction; use trx.drizzle.execute(sql`...`).',
  FW_DB_NO_CLIENT: 'watch() was called on a table of a database not created by createDatabase(); create it so.',
  FW_DB_EXPLAIN_FAILED: 'EXPLAIN returned no plan; explain a SELECT.',
  ...MIGRATION_ERROR_CODES,
  ...WATCH_ERROR_CODES,
});

/**
 * One of `DB_ERROR_CODES`' keys.
 *
 * @example
 * ```ts
 * const code: DbErrorCode = 'FW_DB_UNIQUE_VIOLATION';
 * ```
 */
export type DbErrorCode = keyof typeof DB_ERROR_CODES;

/**
 * A unique constraint refused a write (PostgreSQL 23505). A `ConflictError`: thrown from a handler,
 * the client gets 409 with the message, which names the table and the columns, never the values.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.insert({ email });
 * } catch (error) {
 *   if (isFrameworkError(error, DB_ERROR_CODES) && error.code === 'FW_DB_UNIQUE_VIOLATION') return ctx.json({ error: 'email taken' }, 409);
 *   throw error;
 * }
 * ```
 */
export class UniqueViolationError extends ConflictError {
  readonly constraint: string | undefined;
  readonly columns: readonly string[];
  constructor(message: string, constraint: string | undefined, columns: readonly string[], cause: unknown) {
    super(message, { code: 'FW_DB_UNIQUE_VIOLATION', cause, details: { constraint, columns } });
    this.constraint = constraint;
    this.columns = columns;
  }
}

/**
 * A foreign key refused a write (23503): the referenced row is missing, or rows still reference
 * the one being deleted. 409.
 *
 * @example
 * ```ts
 * await db.posts.insert({ userId: 999, title: 'x' }).catch((error) => isHttpError(error) && error.code === 'FW_DB_FOREIGN_KEY_VIOLATION');
 * ```
 */
export class ForeignKeyViolationError extends ConflictError {
  readonly constraint: string | undefined;
  constructor(message: string, constraint: string | undefined, cause: unknown) {
    super(message, { code: 'FW_DB_FOREIGN_KEY_VIOLATION', cause, details: { constraint } });
    this.constraint = constraint;
  }
}

/**
 * A NOT NULL or CHECK constraint refused a value (23502, 23514), or a value had the wrong form for
 * its column (22xxx). 422.
 *
 * @example
 * ```ts
 * await db.users.insert({ email: null }).catch((error) => isHttpError(error) && error.status === 422);
 * ```
 */
export class ConstraintViolationError extends UnprocessableEntityError {
  readonly constraint: string | undefined;
  /** The column that needs a value (NOT NULL), when the server named it. */
  readonly column: string | undefined;
  constructor(message: string, constraint: string | undefined, cause: unknown, column?: string) {
    super(message, { code: 'FW_DB_CONSTRAINT_VIOLATION', cause, details: { constraint, column } });
    this.constraint = constraint;
    this.column = column;
  }
}

/**
 * The database could not be reached, or dropped the connection (08xxx, 57P0x, ECONNREFUSED...).
 * 503 with `Retry-After`; the message for the client says nothing about the database.
 *
 * @example
 * ```ts
 * app.onError((error) => {
 *   if (isFrameworkError(error, DB_ERROR_CODES) && error.code === 'FW_DB_UNAVAILABLE') metrics.dbDown.inc();
 * });
 * ```
 */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor(cause: unknown) {
    super('The database is unavailable; retry shortly.', {
      code: 'FW_DB_UNAVAILABLE',
      cause,
      expose: true,
      headers: { 'retry-after': '1' },
      // The outage is logged once by the database's circuit breaker (at loss and at recovery), not
      // once per request.
      log: false,
    });
  }
}

/**
 * The server gave up on the statement: it ran past `statement_timeout` (57014), waited past
 * `lock_timeout` for a lock (55P03), or the transaction sat idle past
 * `idle_in_transaction_session_timeout` (25P03). 504 with `Retry-After`: the database is up, the
 * statement was too slow; retry, ask for less, or raise the timeout in `settings`.
 *
 * @example
 * ```ts
 * const error = await db.query('select pg_sleep(60)').catch((caught) => caught);
 * if (isHttpError(error) && error.code === 'FW_DB_TIMEOUT') console.log(error.status); // 504
 * ```
 */
export class DatabaseTimeoutError extends HttpError {
  /** The PostgreSQL error code: `57014`, `55P03` or `25P03`. */
  readonly sqlState: string;
  constructor(message: string, sqlState: string, cause: unknown) {
    super(504, message, {
      code: 'FW_DB_TIMEOUT',
      cause,
      expose: true,
      headers: { 'retry-after': '1' },
    });
    this.sqlState = sqlState;
  }
}

/**
 * A misuse of the query API (an unknown column, an empty `in` list...), raised before any SQL
 * runs, with what to do. Not an HTTP error: it is a bug in the app, answered 500.
 *
 * @example
 * ```ts
 * db.users.where({ emial: 'x' }); // throws: users has no column "emial"; columns: id, email, ...
 * ```
 */
export class QueryError extends FrameworkError<DbErrorCode> {
  constructor(code: DbErrorCode, message: string) {
    super(code, message);
    this.name = 'QueryError';
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // The server went away or will not take the session: admin_shutdown, crash_shutdown,
  // cannot_connect_now (starting up or shutting down), idle_session_timeout.
  '57P01',
  '57P02',
  '57P03',
  '57P05',
  // Out of resources: too_many_connections, configuration_limit_exceeded, disk_full,
  // out_of_memory, insufficient_resources.
  '53300',
  '53400',
  '53100',
  '53200',
  '53000',
]);

/** The server cancelled the statement or the session because a timeout ran out. */
const TIMEOUT_CODES: Record<string, string> = {
  '57014':
    'The database cancelled the statement because it ran longer than the statement timeout; retry, ask for less data, or raise settings.statement_timeout.',
  '55P03':
    'The database gave up waiting for a lock held by another transaction; retry shortly, or raise settings.lock_timeout.',
  '25P03':
    'The database closed a transaction that stayed idle longer than the idle-in-transaction timeout; keep transactions short (no waiting on other services inside them) and retry.',
};

/** Errors raised before a statement reached the server: safe to retry. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'CONNECT_TIMEOUT', '57P03', '53300']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A field of a server error under any of its names: postgres.js says `table_name`, `column_name`,
 * `constraint_name`; PGlite (like node-postgres) says `table`, `column`, `constraint`.
 */
function field(error: unknown, ...names: string[]): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Whether the error means the connection failed before the statement was sent. */
export function notSent(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = codeOf(error) ?? codeOf(cause);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/**
 * The driver error inside `error` (drizzle wraps driver errors in DrizzleQueryError, with the original as `cause`).
 *
 * @example
 * ```ts
 * const code = (driverError(error) as { code?: string }).code; // '23505'
 * ```
 */
export function driverError(error: unknown): unknown {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return codeOf(error)?.length === 5 || CONNECTION_CODES.has(codeOf(error) ?? '') ? error : (cause ?? error);
}

/**
 * How much a constraint error tells the client. `expose: true` (development, tests) names the
 * table and the constraint; `expose: false` (production) keeps only what the client sent (the
 * column names of its own fields) and drops the table, the constraint, the SQL and the detail.
 *
 * @example
 * ```ts
 * toDatabaseError(error, { expose: process.env.NODE_ENV !== 'production' });
 * ```
 */
export interface DatabaseErrorOptions {
  expose?: boolean;
}

/**
 * Turns a driver error (postgres.js or PGlite, possibly wrapped by drizzle) into one of the typed
 * errors above; other errors are returned as they are.
 *
 * @example
 * ```ts
 * try { await client.query(text); } catch (error) { throw toDatabaseError(error); }
 * ```
 */
export function toDatabaseError(error: unknown, options: DatabaseErrorOptions = {}): unknown {
  // Already an answer (an HttpError of any copy of core) or a misuse of the query API. Other
  // framework errors go on: a DatabaseConnectionError's cause (ECONNREFUSED...) still means 503.
  if (isHttpError(error) || error instanceof QueryError) return error;
  const expose = options.expose ?? true;
  const source = driverError(error);
  const code = codeOf(source);
  if (code === undefined) return error;
  const tableName = field(source, 'table_name', 'table');
  const constraint = expose ? field(source, 'constraint_name', 'constraint') : undefined;
  const table = expose && tableName !== undefined ? `${tableName} ` : '';
  const on = expose && tableName !== undefined ? ` on ${tableName}` : '';
  if (code === '23505') {
    const columns = /^Key \(([^)]*)\)=/.exec(field(source, 'detail') ?? '')?.[1]?.split(', ') ?? [];
    const what = columns.length > 0 ? `this ${columns.join(', ')}` : 'these values';
    return new UniqueViolationError(
      `A ${table}row with ${what} already exists; use another value or update the existing row.`,
      constraint,
      columns,
      error,
    );
  }
  if (code === '23503') {
    return new ForeignKeyViolationError(
      `The write${on} refers to a row that does not exist, or removes one that others still refer to` +
        `${constraint === undefined ? '' : ` (${constraint})`}; create the referenced row first or remove the referring rows.`,
      constraint,
      error,
    );
  }
  if (code === '23502') {
    const column = field(source, 'column_name', 'column');
    const where = expose && tableName !== undefined ? `${tableName}.` : '';
    return new ConstraintViolationError(
      column === undefined
        ? `A required value is missing${on}; send every required field.`
        : `${where}${column} needs a value; send one.`,
      constraint,
      error,
      column,
    );
  }
  if (code === '23514') {
    return new ConstraintViolationError(
      `A value breaks the check ${constraint ?? 'constraint'}${on}; send a value within its bounds.`,
      constraint,
      error,
    );
  }
  const timeout = TIMEOUT_CODES[code];
  if (timeout !== undefined) return new DatabaseTimeoutError(timeout, code, error);
  if (code.startsWith('08') || CONNECTION_CODES.has(code)) return new DatabaseUnavailableError(error);
  return error;
}
