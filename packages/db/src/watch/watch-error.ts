const WATCH_ERROR = Symbol.for('@framework/db/watch-error');

/**
 * Every coded error live queries raise, with what it means.
 *
 * @example
 * ```ts
 * watcher.ready.catch((error) => {
 *   if (isWatchError(error)) console.error(error.code, WATCH_ERROR_CODES[error.code]);
 * });
 * ```
 */
export const WATCH_ERROR_CODES = {
  FW_ERR_WATCH_OPTIONS:
    'watchTable() was given an invalid option: an empty primary key, an unknown key or filter column, a bad channel name.',
  FW_ERR_WATCH_TABLE: 'The watched table does not exist (or the role cannot see it).',
  FW_ERR_WATCH_START: 'The watcher could not start: the database refused or could not be reached.',
  FW_ERR_WATCH_INSTALL: 'The change trigger could not be installed (the role needs CREATE on the schema and TRIGGER).',
  FW_ERR_WATCH_LISTEN: 'LISTEN on the watch channel failed.',
  FW_ERR_WATCH_PAYLOAD: 'A change notification could not be read or was too large to describe even by its keys.',
  FW_ERR_WATCH_FETCH: 'A row too large for NOTIFY could not be fetched by its primary key.',
  FW_ERR_WATCH_LISTENER: 'A watch listener threw; the other listeners still ran.',
} as const;

/**
 * A code from `WATCH_ERROR_CODES`.
 *
 * @example
 * ```ts
 * const code: WatchErrorCode = 'FW_ERR_WATCH_TABLE';
 * ```
 */
export type WatchErrorCode = keyof typeof WATCH_ERROR_CODES;

/**
 * The error live queries raise or report through `onError`. The message says what to do; `cause`
 * holds the underlying database or listener error.
 *
 * @example
 * ```ts
 * throw new WatchError('FW_ERR_WATCH_OPTIONS', 'primaryKey is empty: name the primary key columns.');
 * ```
 */
export class WatchError extends Error {
  /** A code from `WATCH_ERROR_CODES`. */
  readonly code: WatchErrorCode;
  readonly [WATCH_ERROR] = true;
  constructor(code: WatchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WatchError';
    this.code = code;
  }
}

/**
 * Whether a value is a `WatchError`, also across duplicate copies of this package.
 *
 * @example
 * ```ts
 * if (isWatchError(error) && error.code === 'FW_ERR_WATCH_TABLE') await migrate();
 * ```
 */
export function isWatchError(value: unknown): value is WatchError {
  return typeof value === 'object' && value !== null && WATCH_ERROR in value;
}
