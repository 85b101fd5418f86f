import { type Column, getTableColumns } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { SqlClient } from './client.ts';
import type { AnyTable, Executor } from './types.ts';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
// PostgreSQL's wire protocol carries at most 65 535 parameters per statement.
const MAX_PARAMS = 65_000;

function isClient(executor: Executor): executor is Executor & SqlClient {
  return (
    typeof (executor as Partial<SqlClient>).query === 'function' && (executor as Partial<SqlClient>).kind === 'postgres'
  );
}

/**
 * A multi-row INSERT built directly instead of through drizzle's insert builder, which spends
 * longer building a 1 000-row statement than PostgreSQL spends running it (apps/bench,
 * RESULTS-db.md). Values are converted with the columns' own `mapToDriverValue` and rows read back
 * with `mapFromDriverValue`, as drizzle does, so the result is the same rows. Used on a postgres.js
 * pool outside transactions for tables without JS-side defaults (`$defaultFn`, `$onUpdate`);
 * returns `undefined` elsewhere, and the caller uses drizzle. Tells drizzle's cache (invalidation)
 * and logger (slow-query log, N+1) about the statement as drizzle would.
 */
export function bulkInsert(
  executor: Executor,
  table: AnyTable,
  rows: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> | undefined {
  if (!isClient(executor)) return undefined;
  const columns = Object.entries(getTableColumns(table) as Record<string, Column>);
  if (columns.some(([, column]) => column.defaultFn !== undefined || column.onUpdateFn !== undefined)) return undefined;
  const used = columns.filter(([property]) => rows.some((row) => row[property] !== undefined));
  if (used.length === 0 || rows.length * used.length > MAX_PARAMS) return undefined;
  const config = getTableConfig(table);
  const target = `${config.schema === undefined ? '' : `${quote(config.schema)}.`}${quote(config.name)}`;
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const row of rows) {
    const cells: string[] = [];
    for (const [property, column] of used) {
      const value = row[property];
      if (value === undefined) {
        cells.push('default');
        continue;
      }
      params.push(value === null ? null : column.mapToDriverValue(value));
      cells.push(`$${params.length}`);
    }
    tuples.push(`(${cells.join(', ')})`);
  }
  const text =
    `insert into ${target} (${used.map(([, column]) => quote(column.name)).join(', ')}) values ${tuples.join(', ')} ` +
    `returning ${columns.map(([, column]) => quote(column.name)).join(', ')}`;
  const drizzle = executor.drizzle as {
    session?: { logger?: { logQuery(query: string, params: unknown[]): void } };
    $cache?: { invalidate?(params: { tables: string[] }): Promise<void> };
  };
  drizzle.session?.logger?.logQuery(text, params);
  return executor.query<Record<string, unknown>>(text, params).then(async (raw) => {
    await drizzle.$cache?.invalidate?.({ tables: [config.name] });
    return raw.map((record) => {
      const row: Record<string, unknown> = {};
      for (const [property, column] of columns) {
        const value = record[column.name];
        row[property] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      }
      return row;
    });
  });
}
