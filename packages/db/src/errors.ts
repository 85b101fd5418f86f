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
  constructor(message: string, constraint: string | undefined, cause: unknown) {
    super(message, { code: 'FW_DB_CONSTRAINT_VIOLATION', cause, details: { constraint } });
    this.constraint = constraint;
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
    });
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
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
]);

/** Errors raised before a statement reached the server: safe to retry. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'CONNECT_TIMEOUT', '57P03']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function field(error: unknown, name: string): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const value = record[name] ?? record[name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())];
  return typeof value === 'string' ? value : undefined;
}

/** Whether the error means the connection failed before the statement was sent. */
export function notSent(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = codeOf(error) ?? codeOf(cause);
  return code !== undefined && NOT_SENT_CODES.has(code);
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
export function toDatabaseError(error: unknown): unknown {
  if (error instanceof HttpError || error instanceof QueryError) return error;
  // drizzle wraps driver errors in DrizzleQueryError with the original as `cause`.
  const cause = (error as { cause?: unknown } | null)?.cause;
  const source = codeOf(error)?.length === 5 || CONNECTION_CODES.has(codeOf(error) ?? '') ? error : (cause ?? error);
  const code = codeOf(source);
  if (code === undefined) return error;
  const table = field(source, 'table_name') ?? 'the table';
  const constraint = field(source, 'constraint_name');
  if (code === '23505') {
    const columns = /^Key \(([^)]*)\)=/.exec(field(source, 'detail') ?? '')?.[1]?.split(', ') ?? [];
    const what = columns.length > 0 ? `this ${columns.join(', ')}` : 'these values';
    return new UniqueViolationError(
      `A ${table} row with ${what} already exists; use another value or update the existing row.`,
      constraint,
      columns,
      error,
    );
  }
  if (code === '23503') {
    return new ForeignKeyViolationError(
      `The write on ${table} refers to a row that does not exist, or removes one that others still refer to ` +
        `(${constraint ?? 'foreign key'}); create the referenced row first or remove the referring rows.`,
      constraint,
      error,
    );
  }
  if (code === '23502') {
    const column = field(source, 'column_name');
    return new ConstraintViolationError(`${table}.${column ?? 'a column'} needs a value; send one.`, constraint, error);
  }
  if (code === '23514') {
    return new ConstraintViolationError(
      `A value breaks the check ${constraint ?? 'constraint'} on ${table}; send a value within its bounds.`,
      constraint,
      error,
    );
  }
  if (code.startsWith('08') || CONNECTION_CODES.has(code)) return new DatabaseUnavailableError(error);
  return error;
}
