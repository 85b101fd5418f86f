import { defineErrorCodes, FrameworkError } from '@framework/core';

const WATCH_ERROR = Symbol.for('@framework/db/watch-error');

/**
 * Every coded error live queries raise, with what it means and what to do (part of `DB_ERROR_CODES`).
 *
 * @example
 * ```ts
 * watcher.ready.catch((error) => {
 *   if (isWatchError(error)) console.error(error.code, WATCH_ERROR_CODES[error.code]);
 * });
 * ```
 */
export const WATCH_ERROR_CODES = defineErrorCodes('FW_DB_', {
  FW_DB_WATCH_OPTIONS:
    'watchTable() was given an invalid option: an empty primary key, an unknown key or filter column, a bad channel name. Fix the option the message names.',
  FW_DB_WATCH_TABLE:
    'The watched table does not exist (or the role cannot see it); run the migrations, or grant SELECT.',
  FW_DB_WATCH_START:
    'The watcher could not start: the database refused or could not be reached. Check the connection; the cause says why.',
  FW_DB_WATCH_INSTALL:
    'The change trigger could not be installed; grant the role CREATE on the schema and TRIGGER on the table.',
  FW_DB_WATCH_LISTEN: 'LISTEN on the watch channel failed; check that the database is reachable.',
  FW_DB_WATCH_PAYLOAD:
    'A change notification could not be read or was too large to describe even by its keys; keep primary keys small.',
  FW_DB_WATCH_FETCH:
    "A row too large for NOTIFY could not be fetched by its primary key; check the connection and the role's SELECT on the table.",
  FW_DB_WATCH_LISTENER:
    'A watch listener threw; the other listeners still ran. Fix the listener; the error is in cause.',
});

/**
 * A code from `WATCH_ERROR_CODES`.
 *
 * @example
 * ```ts
 * const code: WatchErrorCode = 'FW_DB_WATCH_TABLE';
 * ```
 */
export type WatchErrorCode = keyof typeof WATCH_ERROR_CODES;

/**
 * The error live queries raise or report through `onError`. The message says what to do; `cause`
 * holds the underlying database or listener error.
 *
 * @example
 * ```ts
 * throw new WatchError('FW_DB_WATCH_OPTIONS', 'primaryKey is empty: name the primary key columns.');
 * ```
 */
export class WatchError extends FrameworkError<WatchErrorCode> {
  readonly [WATCH_ERROR] = true;
  constructor(code: WatchErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WatchError';
  }
}

/**
 * Whether a value is a `WatchError`, also across duplicate copies of this package.
 *
 * @example
 * ```ts
 * if (isWatchError(error) && error.code === 'FW_DB_WATCH_TABLE') await migrate();
 * ```
 */
export function isWatchError(value: unknown): value is WatchError {
  return typeof value === 'object' && value !== null && WATCH_ERROR in value;
}
