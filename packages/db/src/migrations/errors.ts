const MIGRATION_ERROR = Symbol.for('@framework/db/migration-error');

/**
 * Every coded error the migrator raises, with what it means.
 *
 * @example
 * ```ts
 * console.log(MIGRATION_ERROR_CODES.FW_ERR_MIGRATION_CHANGED);
 * ```
 */
export const MIGRATION_ERROR_CODES = {
  FW_ERR_MIGRATION_FAILED:
    'A migration (or its rollback, or a seed) threw or its SQL failed; its transaction was rolled back.',
  FW_ERR_MIGRATION_CHANGED: 'An applied migration file was edited or removed since it ran.',
  FW_ERR_MIGRATION_FILE: 'A file in the migrations directory is malformed (missing up/down, duplicate name).',
  FW_ERR_MIGRATION_LOCK: 'Another process held the migration lock longer than the lock timeout.',
  FW_ERR_MIGRATION_ARGUMENT: 'A migrator method got an invalid argument (unknown target, bad name).',
  FW_ERR_MIGRATION_GENERATE: 'drizzle-kit could not compute the schema diff, or is not installed.',
} as const;

/**
 * A code from `MIGRATION_ERROR_CODES`.
 *
 * @example
 * ```ts
 * const code: MigrationErrorCode = 'FW_ERR_MIGRATION_LOCK';
 * ```
 */
export type MigrationErrorCode = keyof typeof MIGRATION_ERROR_CODES;

/**
 * The one error class of the migrator. `code` says which failure it is, `migration` names the file
 * when one is involved, and the message always says what to do next.
 *
 * @example
 * ```ts
 * try {
 *   await migrator.latest();
 * } catch (error) {
 *   if (isMigrationError(error) && error.code === 'FW_ERR_MIGRATION_FAILED') console.error(error.migration, error.message);
 * }
 * ```
 */
export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  /** The migration (or seed) the error is about, when there is one. */
  readonly migration: string | undefined;
  readonly [MIGRATION_ERROR] = true;
  constructor(code: MigrationErrorCode, message: string, options: { migration?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
    this.code = code;
    this.migration = options.migration;
  }
}

/**
 * True when `value` is a `MigrationError` from any copy of @framework/db.
 *
 * @example
 * ```ts
 * if (isMigrationError(error)) process.exitCode = 1;
 * ```
 */
export function isMigrationError(value: unknown): value is MigrationError {
  return typeof value === 'object' && value !== null && MIGRATION_ERROR in value;
}

/** Internal: the database's own message for a failed statement (drizzle wraps it in a DrizzleQueryError). */
export function describeCause(error: unknown): string {
  let current: unknown = error;
  // drizzle's DrizzleQueryError says "Failed query: ..." and keeps the server's error as `cause`.
  while (current instanceof Error && current.cause instanceof Error && current.message.startsWith('Failed query')) {
    current = current.cause;
  }
  return current instanceof Error ? current.message : String(current);
}
