import { ConflictError, HttpError, ServiceUnavailableError, UnprocessableEntityError } from '@framework/core';

/**
 * A unique constraint refused a write (PostgreSQL 23505). A `ConflictError`: thrown from a handler,
 * the client gets 409 with the message, which names the table and the columns, never the values.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.insert({ email });
 * } catch (error) {
 *   if (error instanceof UniqueViolationError) return ctx.json({ error: 'email taken' }, 409);
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
 * await db.posts.insert({ userId: 999, title: 'x' }).catch((error) => error instanceof ForeignKeyViolationError);
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
 * await db.users.insert({ email: null }).catch((error) => error instanceof ConstraintViolationError);
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
 *   if (error instanceof DatabaseUnavailableError) metrics.dbDown.inc();
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
 * if (error instanceof DatabaseTimeoutError) console.log(error.status); // 504
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
export class QueryError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'QueryError';
    this.code = code;
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
  if (error instanceof HttpError || error instanceof QueryError) return error;
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
