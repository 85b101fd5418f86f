import type { SqlClient } from '../client.ts';
import { qualifiedName } from './sql-text.ts';
import { WatchError } from './watch-error.ts';

/**
 * What live queries know about a watched table: its oid and each column's type (the base type for
 * a domain), read from the catalog when a watcher starts and again when a row shows a new column.
 *
 * @example
 * ```ts
 * const info = await loadTableInfo(client, 'public', 'posts');
 * info.columns.get('created_at'); // 'timestamptz'
 * ```
 */
export interface TableInfo {
  readonly schema: string;
  readonly table: string;
  readonly relid: string;
  readonly columns: ReadonlyMap<string, string>;
}

/**
 * Reads a table's oid and column types; fails with `FW_DB_WATCH_TABLE` when it does not exist.
 *
 * @example
 * ```ts
 * const info = await loadTableInfo(client, 'public', 'posts');
 * ```
 */
export async function loadTableInfo(client: SqlClient, schema: string, table: string): Promise<TableInfo> {
  const name = qualifiedName(schema, table);
  const [found] = await client.query<{ relid: string | null }>('select to_regclass($1)::oid::text as relid', [name]);
  if (found?.relid == null) {
    throw new WatchError(
      'FW_DB_WATCH_TABLE',
      `The table ${name} does not exist: create it (run the migrations) before watching it, or fix the table and schema options.`,
    );
  }
  const rows = await client.query<{ name: string; type: string }>(
    `select a.attname::text as name, coalesce(b.typname, t.typname)::text as type
       from pg_attribute a
       join pg_type t on t.oid = a.atttypid
       left join pg_type b on b.oid = nullif(t.typbasetype, 0)
      where a.attrelid = $1::oid and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [found.relid],
  );
  return { schema, table, relid: found.relid, columns: new Map(rows.map((row) => [row.name, row.type])) };
}

const LOCAL_TIMESTAMP = /^\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/;

/**
 * Turns one column value as JSON carries it back into what a select returns through drizzle:
 * `timestamptz` and `timestamp` (read as UTC, like drizzle's `timestamp()`) become `Date`,
 * `bytea` a `Buffer`, `real`/`double precision` a number (also NaN and ±Infinity); `bigint` and
 * `numeric` stay the exact strings the trigger sent. Everything else is what `to_jsonb` gives.
 *
 * @example
 * ```ts
 * fromJsonValue('2024-01-02T03:04:05+00:00', 'timestamptz'); // Date
 * ```
 */
export function fromJsonValue(value: unknown, type: string | undefined): unknown {
  if (typeof value !== 'string') return value;
  switch (type) {
    case 'timestamptz':
      return toDate(value, value);
    case 'timestamp':
      return LOCAL_TIMESTAMP.test(value) ? toDate(`${value}Z`, value) : value;
    case 'bytea':
      return value.startsWith('\\x') ? Buffer.from(value.slice(2), 'hex') : value;
    case 'float4':
    case 'float8':
      return Number(value);
    default:
      return value;
  }
}

// ±infinity, BC dates and historical offsets with seconds have no Date: keep the text.
function toDate(text: string, original: string): Date | string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? original : date;
}

/**
 * Converts every column of a row that arrived as JSON (see `fromJsonValue`).
 *
 * @example
 * ```ts
 * const row = fromJsonRow({ id: '1', created_at: '2024-01-02T03:04:05+00:00' }, info);
 * ```
 */
export function fromJsonRow(json: Record<string, unknown>, info: TableInfo): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(json)) row[column] = fromJsonValue(value, info.columns.get(column));
  return row;
}

/**
 * A value a filter compares a column with.
 *
 * @example
 * ```ts
 * const filter: Record<string, FilterValue> = { user_id: 123, status: 'published' };
 * ```
 */
export type FilterValue = string | number | bigint | boolean | null | Date;

/**
 * Whether a row matches an equality filter; `undefined` when a filtered column is not in the row
 * (a shrunk payload left it out), so the caller decides.
 *
 * @example
 * ```ts
 * matchesFilter({ user_id: 123, title: 'Hi' }, { user_id: 123 }); // true
 * ```
 */
export function matchesFilter(
  row: Record<string, unknown>,
  filter: Readonly<Record<string, FilterValue>>,
): boolean | undefined {
  let unknown = false;
  for (const [column, expected] of Object.entries(filter)) {
    if (!Object.hasOwn(row, column)) {
      unknown = true;
      continue;
    }
    if (!sameValue(row[column], expected)) return false;
  }
  return unknown ? undefined : true;
}

// bigint and numeric columns arrive as strings: compare a number or a bigint with their text.
function sameValue(actual: unknown, expected: FilterValue): boolean {
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
  if (typeof actual === 'string' && typeof expected === 'bigint') return actual === expected.toString();
  if (typeof actual === 'string' && typeof expected === 'number')
    return actual.trim() !== '' && Number(actual) === expected;
  if (typeof actual === 'number' && typeof expected === 'bigint') {
    return Number.isInteger(actual) && BigInt(actual) === expected;
  }
  return actual === expected;
}

/**
 * Checks a filter's values (scalars and dates only) and columns (they must exist).
 *
 * @example
 * ```ts
 * checkFilter({ user_id: 1 }, info);
 * ```
 */
export function checkFilter(filter: Readonly<Record<string, unknown>>, info: TableInfo): void {
  for (const [column, value] of Object.entries(filter)) {
    if (!info.columns.has(column)) {
      throw new WatchError(
        'FW_DB_WATCH_OPTIONS',
        `The filter names ${JSON.stringify(column)}, which is not a column of ${qualifiedName(info.schema, info.table)}: use the database column name (${[...info.columns.keys()].join(', ')}).`,
      );
    }
    const scalar = value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value);
    if (!scalar && !(value instanceof Date)) {
      throw new WatchError(
        'FW_DB_WATCH_OPTIONS',
        `The filter value for ${JSON.stringify(column)} is not a string, number, bigint, boolean, null or Date: filters compare columns for equality only; filter other cases in the listener.`,
      );
    }
  }
}
