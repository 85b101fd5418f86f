import { type SQL, sql } from 'drizzle-orm';
import { type PgColumnBuilderBase, type PgDatabase, type PgQueryResultHKT, pgTable } from 'drizzle-orm/pg-core';
import { loadDrizzleKit } from './kit.ts';
import { splitStatements, toSql } from './sql-text.ts';

/**
 * What `up(db)`, `down(db)` and `seed(db)` receive. Everything runs inside the migration's own
 * transaction: if any statement fails, none of the migration's changes stay.
 *
 * @example
 * ```ts
 * // migrations/001_create_users.ts
 * import type { MigrationContext } from '@framework/db';
 * import { serial, timestamp, varchar } from 'drizzle-orm/pg-core';
 *
 * export const up = (db: MigrationContext) =>
 *   db.createTable('users', {
 *     id: serial().primaryKey(),
 *     email: varchar({ length: 255 }).unique().notNull(),
 *     passwordHash: varchar({ length: 255 }).notNull(),
 *     createdAt: timestamp().defaultNow(),
 *   });
 *
 * export const down = (db: MigrationContext) => db.dropTable('users');
 * ```
 */
export interface MigrationContext {
  /**
   * Runs SQL. Without `params` the text may hold several statements (split on top-level `;`,
   * or drizzle-kit's `--> statement-breakpoint`); with `params` it is one statement whose `$1..$n`
   * are bound by the driver. Resolves to the rows of the last statement.
   */
  execute(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Creates a table from drizzle column builders (`serial().primaryKey()`, `varchar({ length: 255 })`, ...);
   * the DDL is rendered by drizzle-kit, exactly as `generate` would write it.
   */
  createTable(name: string, columns: Record<string, PgColumnBuilderBase>): Promise<void>;
  /** Drops a table; `cascade` also drops what depends on it, `ifExists` tolerates its absence. */
  dropTable(name: string, options?: { cascade?: boolean; ifExists?: boolean }): Promise<void>;
  /** drizzle bound to the migration's transaction, for anything else. */
  readonly drizzle: PgDatabase<PgQueryResultHKT>;
}

/**
 * How `createTable` and `generate` name columns: as written (default) or converted, like drizzle's
 * `casing` option.
 *
 * @example
 * ```ts
 * createMigrator({ client, casing: 'snake_case' }); // passwordHash → password_hash
 * ```
 */
export type MigrationCasing = 'snake_case' | 'camelCase';

/** Builds the context for one transaction. Internal: not exported from the package. */
export function createMigrationContext(
  drizzle: PgDatabase<PgQueryResultHKT>,
  casing: MigrationCasing | undefined,
): MigrationContext {
  const run = async (query: SQL): Promise<Record<string, unknown>[]> => rowsOf(await drizzle.execute(query));
  const execute: MigrationContext['execute'] = async (text, params) => {
    if (params !== undefined && params.length > 0) return run(toSql(text, params));
    let rows: Record<string, unknown>[] = [];
    for (const statement of splitStatements(text)) rows = await run(sql.raw(statement));
    return rows;
  };
  return {
    drizzle,
    execute,
    async createTable(name, columns) {
      const kit = await loadDrizzleKit();
      const table = pgTable(name, columns);
      const empty = kit.generateDrizzleJson({});
      const next = kit.generateDrizzleJson({ [name]: table }, empty.id, undefined, casing);
      for (const statement of await kit.generateMigration(empty, next)) await execute(statement);
    },
    async dropTable(name, options = {}) {
      const ifExists = options.ifExists === true ? sql.raw(' if exists') : sql.empty();
      const cascade = options.cascade === true ? sql.raw(' cascade') : sql.empty();
      await run(sql`drop table${ifExists} ${sql.identifier(name)}${cascade}`);
    },
  };
}

/** postgres.js resolves to an array of rows, PGlite to `{ rows }`: one shape for both. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  const rows: unknown = Array.isArray(result)
    ? result
    : typeof result === 'object' && result !== null && 'rows' in result
      ? result.rows
      : [];
  return Array.isArray(rows) ? rows.filter(isRow) : [];
}

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
