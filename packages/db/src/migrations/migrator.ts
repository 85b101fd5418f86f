import { basename, resolve } from 'node:path';
import { type Duration, parseDuration } from '@framework/core';
import { sql } from 'drizzle-orm';
import type { SqlClient, SqlSession } from '../client.ts';
import { createMigrationContext, type MigrationCasing, type MigrationContext } from './context.ts';
import { describeCause, MigrationError } from './errors.ts';
import { loadMigration, type MigrationFile, readMigrationFiles } from './files.ts';
import { type GenerateOptions, type GenerateResult, generateMigration } from './generate.ts';
import {
  type AppliedMigration,
  defaultLockId,
  ensureHistory,
  historyExists,
  readHistory,
  tableSql,
} from './history.ts';
import { withMigrationLock } from './lock.ts';
import { runSeeds } from './seed.ts';
import { type CreateOptions, createMigrationFile } from './template.ts';

/**
 * Options of `createMigrator`.
 *
 * @example
 * ```ts
 * const options: MigratorOptions = { client, directory: 'migrations', lockTimeout: 120_000 };
 * ```
 */
export interface MigratorOptions {
  client: SqlClient;
  /** Where the migration files are. Default `migrations` (relative to the working directory). */
  directory?: string;
  /** The history table, optionally schema-qualified (`ops.migrations`). Default `framework_migrations`. */
  table?: string;
  /** The advisory lock key. Default: a stable 64-bit hash of `table`. */
  lockId?: number | bigint;
  /** Milliseconds (or a string with a unit: `'2m'`) to wait for another process's run before failing. Default 60 s. */
  lockTimeout?: Duration;
  /** Column naming for `createTable` and `generate`, as drizzle's `casing`. Default: as written. */
  casing?: MigrationCasing;
}

/**
 * What `status()` reports.
 *
 * @example
 * ```ts
 * const { pending, changed, missing } = await migrator.status();
 * if (changed.length > 0) console.warn('edited after running:', changed);
 * ```
 */
export interface MigrationStatus {
  /** Every recorded migration in the order it ran, with its state. */
  applied: AppliedMigration[];
  /** Files not applied yet, in the order `latest()` will run them. */
  pending: string[];
  /** Applied migrations whose file content changed since (checksum mismatch). */
  changed: string[];
  /** Applied migrations whose file is gone. */
  missing: string[];
}

/**
 * Which migrations `rollback` undoes: the last batch (default), the last `steps` migrations,
 * everything applied after `to` (which stays applied), or `all`.
 *
 * @example
 * ```ts
 * await migrator.rollback({ steps: 2 });
 * ```
 */
export type RollbackTarget = { steps: number } | { to: string } | { all: true } | { batch?: 'last' };

/**
 * Runs the migrations of a directory against one database.
 *
 * @example
 * ```ts
 * const migrator = createMigrator({ client });
 * await migrator.latest();
 * ```
 */
export interface Migrator {
  /** Applies every pending migration in order, each in its own transaction, as one new batch. */
  latest(): Promise<{ batch: number | undefined; migrations: string[] }>;
  /** Runs `down` of applied migrations, newest first, each in its own transaction. Default: the last batch. */
  rollback(target?: RollbackTarget): Promise<{ migrations: string[] }>;
  /** Applied (with timestamps and batches), pending, changed and missing migrations. */
  status(): Promise<MigrationStatus>;
  /** Writes a new timestamped migration from a template and returns its path (the `.up.sql` one for SQL). */
  create(name: string, options?: CreateOptions): Promise<string>;
  /** Rolls back everything, then applies everything, under one lock. */
  reset(): Promise<{ rolledBack: string[]; migrations: string[] }>;
  /** Runs the seed modules of a directory in name order, each exporting `seed(db)`, each in a transaction. */
  seed(options?: { directory?: string }): Promise<string[]>;
  /** Writes an up/down SQL pair for the difference between a drizzle schema and the last snapshot. */
  generate(options: Omit<GenerateOptions, 'directory' | 'casing'>): Promise<GenerateResult | undefined>;
}

/**
 * Creates a migrator. The history table records name, checksum (sha256 of the file), batch and
 * applied_at; a PostgreSQL advisory lock is held for each whole run so concurrent deploys apply
 * each migration exactly once.
 *
 * @example
 * ```ts
 * const client = await openClient({ kind: 'postgres', url: process.env.DATABASE_URL ?? '' });
 * const migrator = createMigrator({ client, directory: 'migrations' });
 * const { migrations } = await migrator.latest();
 * console.log(`applied ${migrations.length}`);
 * ```
 */
export function createMigrator(options: MigratorOptions): Migrator {
  const { client } = options;
  const directory = resolve(options.directory ?? 'migrations');
  const table = options.table ?? 'framework_migrations';
  const lock = {
    lockId: BigInt(options.lockId ?? defaultLockId(table)),
    timeout: parseDuration(options.lockTimeout ?? '60s', 'createMigrator() lockTimeout'),
    interval: 200,
  };
  const locked = <T>(fn: (session: SqlSession) => Promise<T>) => withMigrationLock(client, lock, fn);

  /** Runs `fn` in its own transaction; `what` names it in the error ("Migration 002_x.sql"). */
  const inTransaction = async (name: string, what: string, fn: (db: MigrationContext) => Promise<unknown>) => {
    try {
      await client.drizzle.transaction(async (tx) => {
        await fn(createMigrationContext(tx, options.casing));
      });
    } catch (error) {
      if (error instanceof MigrationError) throw error;
      throw new MigrationError(
        'FW_DB_MIGRATION_FAILED',
        `${what} failed: ${describeCause(error)}. Its transaction was rolled back; fix it and run the command again.`,
        { migration: name, cause: error },
      );
    }
  };

  const inspect = async (session: SqlSession): Promise<MigrationStatus & { files: MigrationFile[] }> => {
    const files = await readMigrationFiles(directory);
    const history = (await historyExists(session, table)) ? await readHistory(session, table) : [];
    const byName = new Map(files.map((file) => [file.name, file]));
    const applied = history.map((row): AppliedMigration => {
      const file = byName.get(row.name);
      return { ...row, state: file === undefined ? 'missing' : file.checksum === row.checksum ? 'ok' : 'changed' };
    });
    const done = new Set(history.map((row) => row.name));
    return {
      files,
      applied,
      pending: files.filter((file) => !done.has(file.name)).map((file) => file.name),
      changed: applied.filter((row) => row.state === 'changed').map((row) => row.name),
      missing: applied.filter((row) => row.state === 'missing').map((row) => row.name),
    };
  };

  const refuseIfDrifted = (state: MigrationStatus, names: readonly string[]) => {
    const changed = state.changed.filter((name) => names.includes(name));
    const missing = state.missing.filter((name) => names.includes(name));
    if (changed.length === 0 && missing.length === 0) return;
    const parts = [
      changed.length > 0
        ? `changed since they were applied: ${changed.join(', ')} (restore the applied content, e.g. with git, and put the change in a new migration)`
        : '',
      missing.length > 0
        ? `applied but missing from ${directory}: ${missing.join(', ')} (restore the files, or if they were meant to go, delete their rows from ${table})`
        : '',
    ].filter((part) => part !== '');
    throw new MigrationError('FW_DB_MIGRATION_CHANGED', `Refusing to migrate. Migrations ${parts.join('; ')}.`, {
      migration: changed[0] ?? missing[0],
    });
  };

  const migrateLocked = async (session: SqlSession) => {
    await ensureHistory(session, table);
    const state = await inspect(session);
    refuseIfDrifted(
      state,
      state.applied.map((row) => row.name),
    );
    const pending = state.files.filter((file) => state.pending.includes(file.name));
    if (pending.length === 0) return { batch: undefined, migrations: [] };
    const batch = Math.max(0, ...state.applied.map((row) => row.batch)) + 1;
    const migrations: string[] = [];
    for (const file of pending) {
      const migration = await loadMigration(file);
      try {
        await inTransaction(file.name, `Migration ${basename(file.path)}`, async (db) => {
          await migration.up(db);
          await db.drizzle.execute(
            sql`insert into ${tableSql(table)} (name, checksum, batch) values (${file.name}, ${file.checksum}, ${batch})`,
          );
        });
      } catch (error) {
        if (error instanceof MigrationError && migrations.length > 0) {
          error.message += ` Applied before it in this run (still applied): ${migrations.join(', ')}.`;
        }
        throw error;
      }
      migrations.push(file.name);
    }
    return { batch, migrations };
  };

  const rollbackLocked = async (session: SqlSession, target: RollbackTarget) => {
    await ensureHistory(session, table);
    const state = await inspect(session);
    const newestFirst = [...state.applied].reverse();
    let chosen: AppliedMigration[];
    if ('steps' in target) {
      if (!Number.isInteger(target.steps) || target.steps < 1) {
        throw new MigrationError(
          'FW_DB_MIGRATION_ARGUMENT',
          `rollback({ steps }) needs a positive integer, got ${target.steps}.`,
        );
      }
      chosen = newestFirst.slice(0, target.steps);
    } else if ('to' in target) {
      const index = newestFirst.findIndex((row) => row.name === target.to);
      if (index === -1) {
        throw new MigrationError(
          'FW_DB_MIGRATION_ARGUMENT',
          `rollback({ to: '${target.to}' }): that migration is not applied. Pass the name of an applied one (see status()).`,
        );
      }
      chosen = newestFirst.slice(0, index);
    } else if ('all' in target) {
      chosen = newestFirst;
    } else {
      chosen = newestFirst.filter((row) => row.batch === newestFirst[0]?.batch);
    }
    refuseIfDrifted(
      state,
      chosen.map((row) => row.name),
    );
    const byName = new Map(state.files.map((file) => [file.name, file]));
    const plan = [];
    for (const row of chosen) {
      const file = byName.get(row.name);
      if (file === undefined) continue;
      const { down } = await loadMigration(file);
      if (down === undefined) {
        throw new MigrationError(
          'FW_DB_MIGRATION_FILE',
          `${row.name} has no down migration (export \`down(db)\`, or add ${row.name}.down.sql), so it cannot be rolled back. Nothing was rolled back.`,
          { migration: row.name },
        );
      }
      plan.push({ name: row.name, file: basename(file.downPath ?? file.path), down });
    }
    const migrations: string[] = [];
    for (const step of plan) {
      await inTransaction(step.name, `Rollback of ${step.name} (${step.file})`, async (db) => {
        await step.down(db);
        await db.drizzle.execute(sql`delete from ${tableSql(table)} where name = ${step.name}`);
      });
      migrations.push(step.name);
    }
    return { migrations };
  };

  return {
    latest: () => locked(migrateLocked),
    rollback: (target = {}) => locked((session) => rollbackLocked(session, target)),
    status: () =>
      client.session(async (session) => {
        const { files: _files, ...status } = await inspect(session);
        return status;
      }),
    create: (name, createOptions) => createMigrationFile(directory, name, createOptions),
    reset: () =>
      locked(async (session) => {
        const rolledBack = await rollbackLocked(session, { all: true });
        const applied = await migrateLocked(session);
        return { rolledBack: rolledBack.migrations, migrations: applied.migrations };
      }),
    seed: (seedOptions = {}) =>
      locked(() =>
        runSeeds(resolve(seedOptions.directory ?? 'seeds'), (name, fn) => inTransaction(name, `Seed ${name}`, fn)),
      ),
    generate: (generateOptions) => generateMigration({ ...generateOptions, directory, casing: options.casing }),
  };
}
