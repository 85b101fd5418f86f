import { defineErrorCodes, FrameworkError } from '@framework/core';

const MIGRATION_ERROR = Symbol.for('@framework/db/migration-error');

/**
 * Every coded error the migrator raises, with what it means and what to do (part of `DB_ERROR_CODES`).
 *
 * @example
 * ```ts
 * console.log(MIGRATION_ERROR_CODES.FW_DB_MIGRATION_CHANGED);
 * ```
 */
export const MIGRATION_ERROR_CODES = defineErrorCodes('FW_DB_', {
  FW_DB_MIGRATION_FAILED:
    'A migration (or its rollback, or a seed) threw or its SQL failed; its transaction was rolled back. Fix the migration named in the error and run it again.',
  FW_DB_MIGRATION_CHANGED:
    'An applied migration file was edited or removed since it ran; restore it, and put the change in a new migration.',
  FW_DB_MIGRATION_FILE:
    'A file in the migrations directory is malformed (missing up/down, duplicate name); fix or rename the file.',
  FW_DB_MIGRATION_LOCK:
    'Another process held the migration lock longer than the lock timeout; wait for it to finish, or raise the lock timeout.',
  FW_DB_MIGRATION_ARGUMENT:
    'A migrator method got an invalid argument (unknown target, bad name); pass one the message lists.',
  FW_DB_MIGRATION_GENERATE:
    'drizzle-kit could not compute the schema diff, or is not installed; install drizzle-kit, or fix the schema error it reports.',
});

/**
 * A code from `MIGRATION_ERROR_CODES`.
 *
 * @example
 * ```ts
 * const code: MigrationErrorCode = 'FW_DB_MIGRATION_LOCK';
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
 *   if (isMigrationError(error) && error.code === 'FW_DB_MIGRATION_FAILED') console.error(error.migration, error.message);
 * }
 * ```
 */
export class MigrationError extends FrameworkError<MigrationErrorCode> {
  /** The migration (or seed) the error is about, when there is one. */
  readonly migration: string | undefined;
  readonly [MIGRATION_ERROR] = true;
  constructor(code: MigrationErrorCode, message: string, options: { migration?: string; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.name = 'MigrationError';
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
