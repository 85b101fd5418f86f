// Internal to the migrator: nothing here is exported from the package entry point.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlClient, SqlSession } from '../client.ts';
import { MigrationError } from './errors.ts';

/** How long to wait for another process's run, and how often to ask. */
export interface LockOptions {
  lockId: bigint;
  /** Milliseconds to wait for the lock before failing. */
  timeout: number;
  /** Milliseconds between attempts. */
  interval: number;
}

/**
 * Runs `fn` holding a PostgreSQL session-level advisory lock on one dedicated connection, so two
 * processes never migrate at once: the second one waits (polling `pg_try_advisory_lock`) and then
 * sees the first one's work in the history table. The lock is released when `fn` settles, and by
 * the server if the connection dies.
 */
export function withMigrationLock<T>(
  client: SqlClient,
  options: LockOptions,
  fn: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const key = options.lockId.toString();
  return client.session(async (session) => {
    const deadline = Date.now() + options.timeout;
    for (;;) {
      const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [
        key,
      ]);
      if (row?.locked === true) break;
      if (Date.now() >= deadline) {
        throw new MigrationError(
          'FW_DB_MIGRATION_LOCK',
          `Another process has held the migration lock (advisory lock ${key}) for over ${options.timeout} ms. ` +
            'Wait for its run to finish and try again; if nothing is migrating, end the session that holds it ' +
            "(see `select pid from pg_locks where locktype = 'advisory'`), or raise `lockTimeout`.",
        );
      }
      await sleep(options.interval);
    }
    try {
      return await fn(session);
    } finally {
      await session.query('select pg_advisory_unlock($1::bigint)', [key]);
    }
  });
}
