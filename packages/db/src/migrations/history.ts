// Internal to the migrator: nothing here is exported from the package entry point.
import { createHash } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { SqlSession } from '../client.ts';

/**
 * One row of the history table: a migration that ran, when, in which batch, and the checksum of
 * its file at the time.
 *
 * @example
 * ```ts
 * const { applied } = await migrator.status();
 * for (const row of applied) console.log(row.name, row.batch, row.appliedAt.toISOString(), row.state);
 * ```
 */
export interface AppliedMigration {
  readonly name: string;
  readonly checksum: string;
  readonly batch: number;
  readonly appliedAt: Date;
  /** `ok`, `changed` (the file's checksum differs from the one recorded) or `missing` (no file). */
  readonly state: 'ok' | 'changed' | 'missing';
}

/** A history table name as SQL text: `name` or `schema.name`, each part quoted. */
export function quoteTable(table: string): string {
  return table
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

/** The same name as a drizzle SQL chunk, for statements run inside a migration's transaction. */
export function tableSql(table: string): SQL {
  return sql.raw(quoteTable(table));
}

/** The advisory lock key for a history table: a stable 64-bit number derived from its name. */
export function defaultLockId(table: string): bigint {
  return createHash('sha256').update(`framework:migrations:${table}`).digest().readBigInt64BE(0);
}

/** Creates the history table when it is not there yet (called with the lock held). */
export async function ensureHistory(session: SqlSession, table: string): Promise<void> {
  await session.query(
    `create table if not exists ${quoteTable(table)} (
      name text primary key,
      checksum text not null,
      batch integer not null,
      applied_at timestamptz not null default now()
    )`,
  );
}

/** Whether the history table exists (status() reads without creating it). */
export async function historyExists(session: SqlSession, table: string): Promise<boolean> {
  const rows = await session.query<{ found: string | null }>('select to_regclass($1)::text as found', [
    quoteTable(table),
  ]);
  return rows[0]?.found !== null && rows[0]?.found !== undefined;
}

/** The recorded migrations in the order they were applied. */
export async function readHistory(session: SqlSession, table: string): Promise<Omit<AppliedMigration, 'state'>[]> {
  const rows = await session.query<{ name: string; checksum: string; batch: number; applied_at: unknown }>(
    `select name, checksum, batch, applied_at from ${quoteTable(table)} order by batch, name`,
  );
  return rows.map((row) => ({
    name: row.name,
    checksum: row.checksum,
    batch: Number(row.batch),
    appliedAt: row.applied_at instanceof Date ? row.applied_at : new Date(String(row.applied_at)),
  }));
}
