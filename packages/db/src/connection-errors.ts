import { FrameworkError } from '@framework/core';
import { driverError } from './errors.ts';

/**
 * The database could not be configured or reached while the app started: a malformed URL, a host
 * that does not resolve, a port nothing listens on, a refused password, a missing database. The
 * message names the setting the URL came from (`DATABASE_URL`, the `url` or `primary` option), the
 * host and port, the cause, and what to do; it never contains the password.
 *
 * @example
 * ```ts
 * try {
 *   await app.start();
 * } catch (error) {
 *   if (isFrameworkError(error, DB_ERROR_CODES) && error.code === 'FW_DB_CONNECT_FAILED') console.error(error.message);
 *   // Cannot connect to PostgreSQL at 127.0.0.1:5433 (database "app", from DATABASE_URL): connection refused. ...
 * }
 * ```
 */
export class DatabaseConnectionError extends FrameworkError<'FW_DB_INVALID_URL' | 'FW_DB_CONNECT_FAILED'> {
  /** Where the URL came from: `DATABASE_URL`, `the url option` or `the primary option`. */
  readonly setting: string;
  constructor(code: 'FW_DB_INVALID_URL' | 'FW_DB_CONNECT_FAILED', setting: string, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'DatabaseConnectionError';
    this.setting = setting;
  }
}

/**
 * Where a connection URL came from and where it points, without the password.
 *
 * @example
 * ```ts
 * const label: ConnectionLabel = labelUrl(process.env.DATABASE_URL ?? '', 'DATABASE_URL', 5);
 * ```
 */
export interface ConnectionLabel {
  setting: string;
  host: string;
  port: string;
  database: string;
  user: string;
  /** The URL with its password replaced by `***`. */
  redacted: string;
  /** Seconds postgres.js waits for a connection. */
  connectTimeout: number;
}

/**
 * The URL with any password replaced by `***` (works on URLs that do not parse too).
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:secret@db:5432/app'); // 'postgres://app:***@db:5432/app'
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

/**
 * Checks that `url` is a PostgreSQL URL postgres.js can read and describes it; throws
 * `FW_DB_INVALID_URL` naming the setting otherwise.
 *
 * @example
 * ```ts
 * labelUrl('postgres://app@db:5432/app', 'the url option', 5); // { host: 'db', port: '5432', database: 'app', ... }
 * ```
 */
export function labelUrl(url: string, setting: string, connectTimeout: number): ConnectionLabel {
  const redacted = redactUrl(url);
  const example = 'postgres://user:password@localhost:5432/app';
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new DatabaseConnectionError(
      'FW_DB_INVALID_URL',
      setting,
      `${setting} is not a PostgreSQL URL ("${redacted}"): it must start with postgres:// or postgresql://, e.g. ${example}. ` +
        `Fix ${setting}, or unset it to use the embedded PGlite database in development.`,
    );
  }
  // Several hosts (`postgres://a:5432,b:5432/app`) are read by postgres.js, not by URL.
  const authority = /^[^:]+:\/\/(?:[^@/]*@)?([^/?#]*)/.exec(url)?.[1] ?? '';
  let parsed: URL;
  try {
    parsed = new URL(authority.includes(',') ? url.replace(authority, 'multiple-hosts') : url);
  } catch (error) {
    throw new DatabaseConnectionError(
      'FW_DB_INVALID_URL',
      setting,
      `${setting} is not a valid URL ("${redacted}"). Check the host, the port (a number) and that special ` +
        `characters in the user or password are percent-encoded (e.g. @ as %40), e.g. ${example}.`,
      error,
    );
  }
  return {
    setting,
    host: authority.includes(',') ? authority.replace(/^.*@/, '') : parsed.hostname || 'localhost',
    port: authority.includes(',') ? '' : parsed.port || '5432',
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres',
    user: decodeURIComponent(parsed.username),
    redacted,
    connectTimeout,
  };
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Explains why connecting to `label` failed, as a `DatabaseConnectionError` that says what to do.
 *
 * @example
 * ```ts
 * await client.query('select 1').catch((error) => { throw connectionError(error, label); });
 * ```
 */
export function connectionError(error: unknown, label: ConnectionLabel): DatabaseConnectionError {
  const source = driverError(error);
  const code = codeOf(source) ?? codeOf(error);
  const where = `${label.host}${label.port === '' ? '' : `:${label.port}`}`;
  const fix = `fix ${label.setting}`;
  let cause: string;
  let todo: string;
  switch (code) {
    case 'ECONNREFUSED':
      cause = 'connection refused (nothing listens on that port)';
      todo = `Start PostgreSQL there, or ${fix} to point at the right host and port.`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      cause = `the host name "${label.host}" does not resolve`;
      todo = `Correct the host in ${label.setting} (check for typos, and that the name resolves from this machine).`;
      break;
    case 'CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      cause = `no answer within ${label.connectTimeout} s`;
      todo = `Check that the server runs and that a firewall lets this machine reach ${where}, or ${fix}.`;
      break;
    case '28P01':
    case '28000':
      cause = `the server refused the credentials of user "${label.user || '(none)'}"`;
      todo = `Correct the user or password in ${label.setting} (special characters percent-encoded), or grant the user access in pg_hba.conf.`;
      break;
    case '3D000':
      cause = `the database "${label.database}" does not exist`;
      todo = `Create it (createdb ${label.database}) or correct the database name in ${label.setting}.`;
      break;
    case '53300':
      cause = 'the server has no free connection slots';
      todo = 'Lower pool.max, close other clients, or raise max_connections on the server.';
      break;
    case '57P03':
      cause = 'the server is starting up or shutting down';
      todo = 'Retry once it is up.';
      break;
    default: {
      const message = source instanceof Error ? source.message : String(source);
      cause = `${message.replaceAll(label.redacted, '(url)')}${code === undefined ? '' : ` (${code})`}`;
      todo = `Check that PostgreSQL runs at ${where} and that ${label.setting} is right.`;
    }
  }
  return new DatabaseConnectionError(
    'FW_DB_CONNECT_FAILED',
    label.setting,
    `Cannot connect to PostgreSQL at ${where} (database "${label.database}", from ${label.setting}): ${cause}. ${todo}`,
    error,
  );
}
