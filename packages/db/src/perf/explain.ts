import { getTableColumns, getTableName, type SQLWrapper, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { QueryError } from '../errors.ts';

/**
 * Options of `query.explain()`.
 *
 * @example
 * ```ts
 * const { plan } = await db.users.where({ age: { gte: 18 } }).explain({ analyze: true });
 * ```
 */
export interface ExplainOptions {
  /**
   * `EXPLAIN ANALYZE`: runs the query (once) and adds actual times and row counts to the plan.
   * Default false: the query is planned, not run.
   */
  analyze?: boolean;
}

/**
 * One node of a PostgreSQL plan as `EXPLAIN (FORMAT JSON)` gives it; the keys are PostgreSQL's.
 *
 * @example
 * ```ts
 * const scans = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(scans)];
 * ```
 */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Alias?: string;
  readonly 'Index Name'?: string;
  readonly Filter?: string;
  readonly 'Startup Cost'?: number;
  readonly 'Total Cost'?: number;
  readonly 'Plan Rows'?: number;
  readonly 'Plan Width'?: number;
  readonly Plans?: readonly PlanNode[];
  readonly [key: string]: unknown;
}

/**
 * The plan document of `EXPLAIN (FORMAT JSON)`.
 *
 * @example
 * ```ts
 * const { json } = await db.users.where({ email }).explain();
 * console.log(json.Plan['Node Type']); // 'Seq Scan'
 * ```
 */
export interface ExplainJson {
  readonly Plan: PlanNode;
  readonly 'Planning Time'?: number;
  readonly 'Execution Time'?: number;
  readonly [key: string]: unknown;
}

/**
 * What `query.explain()` resolves to.
 *
 * @example
 * ```ts
 * const { plan, suggestions } = await db.users.where({ email: 'test@example.com' }).explain();
 * console.log(plan); // Seq Scan on users  (cost=0.00..12.38 rows=1 width=1052) ...
 * console.log(suggestions); // ['Add an index on users(email)']
 * ```
 */
export interface ExplainResult {
  /** The plan as text, in the layout of `EXPLAIN` (rendered from `json`). */
  readonly plan: string;
  /** The plan as `EXPLAIN (FORMAT JSON)` returned it. */
  readonly json: ExplainJson;
  /** Index suggestions for sequential scans that filter on columns no index starts with. */
  readonly suggestions: string[];
}

/** drizzle's `execute()`: postgres.js resolves to the rows, PGlite to `{ rows }`. */
interface SqlRunner {
  execute(query: SQLWrapper): Promise<unknown>;
}

function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  if (typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows;
  }
  return [];
}

function isPlanNode(value: unknown): value is PlanNode {
  return typeof value === 'object' && value !== null && 'Node Type' in value && typeof value['Node Type'] === 'string';
}

function isExplainJson(value: unknown): value is ExplainJson {
  return typeof value === 'object' && value !== null && 'Plan' in value && isPlanNode(value.Plan);
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/**
 * Plans a query (`EXPLAIN (FORMAT JSON)`, or with `ANALYZE`), renders the plan as text and looks
 * for sequential scans that filter on columns no index covers.
 *
 * @example
 * ```ts
 * const result = await explainQuery(db.drizzle, db.drizzle.select().from(users).where(eq(users.email, 'x')), [users]);
 * ```
 */
export async function explainQuery(
  runner: SqlRunner,
  query: SQLWrapper,
  tables: readonly PgTable[],
  options: ExplainOptions = {},
): Promise<ExplainResult> {
  const statement = options.analyze
    ? sql`explain (analyze, format json) ${query}`
    : sql`explain (format json) ${query}`;
  const [row] = rowsOf(await runner.execute(statement));
  const raw = typeof row === 'object' && row !== null ? Object.values(row)[0] : undefined;
  const document: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const json = Array.isArray(document) ? document[0] : document;
  if (!isExplainJson(json)) {
    throw new QueryError('FW_DB_EXPLAIN_FAILED', 'EXPLAIN returned no plan; check that the query is a SELECT.');
  }
  return { plan: renderPlan(json), json, suggestions: await suggestIndexes(runner, json.Plan, tables) };
}

/** Column names (SQL names) of `table` that a filter expression refers to. */
function filteredColumns(filter: string, table: PgTable): string[] {
  const text = filter.replace(/'(?:[^']|'')*'/g, "''");
  const names = Object.values(getTableColumns(table)).map((column) => column.name);
  return names.filter((name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?<![\\w":])"?${escaped}"?(?![\\w"])`).test(text);
  });
}

function qualifiedName(table: PgTable): string {
  const { schema, name } = getTableConfig(table);
  const quote = (part: string) => `"${part.replaceAll('"', '""')}"`;
  return schema === undefined ? quote(name) : `${quote(schema)}.${quote(name)}`;
}

async function suggestIndexes(runner: SqlRunner, root: PlanNode, tables: readonly PgTable[]): Promise<string[]> {
  const suggestions = new Set<string>();
  for (const node of nodesOf(root)) {
    if (node['Node Type'] !== 'Seq Scan' || node.Filter === undefined) continue;
    const table = tables.find((candidate) => getTableName(candidate) === node['Relation Name']);
    if (table === undefined) continue;
    const columns = filteredColumns(node.Filter, table);
    if (columns.length === 0) continue;
    // An index helps a filter when the filtered column leads it.
    const indexed = rowsOf(
      await runner.execute(
        sql`select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0] where i.indrelid = to_regclass(${qualifiedName(table)})`,
      ),
    ).map((row) => (typeof row === 'object' && row !== null && 'name' in row ? String(row.name) : ''));
    const missing = columns.filter((column) => !indexed.includes(column));
    if (missing.length > 0) suggestions.add(`Add an index on ${getTableName(table)}(${missing.join(', ')})`);
  }
  return [...suggestions];
}

const DETAILS = [
  'Hash Cond',
  'Merge Cond',
  'Join Filter',
  'Index Cond',
  'Recheck Cond',
  'Filter',
  'Rows Removed by Filter',
  'Sort Key',
  'Group Key',
];

function title(node: PlanNode): string {
  const type = node['Node Type'];
  const join = node['Join Type'];
  let name = type;
  if (typeof join === 'string' && join !== 'Inner') {
    name = type === 'Nested Loop' ? `Nested Loop ${join} Join` : type.replace(/ Join$/, ` ${join} Join`);
  }
  if (node['Index Name'] !== undefined) name += ` using ${node['Index Name']}`;
  if (node['Relation Name'] !== undefined) {
    name += ` on ${node['Relation Name']}`;
    if (node.Alias !== undefined && node.Alias !== node['Relation Name']) name += ` ${node.Alias}`;
  }
  const cost = `(cost=${(node['Startup Cost'] ?? 0).toFixed(2)}..${(node['Total Cost'] ?? 0).toFixed(2)} rows=${node['Plan Rows'] ?? 0} width=${node['Plan Width'] ?? 0})`;
  const start = node['Actual Startup Time'];
  const total = node['Actual Total Time'];
  const actual =
    typeof start === 'number' && typeof total === 'number'
      ? ` (actual time=${start.toFixed(3)}..${total.toFixed(3)} rows=${node['Actual Rows']} loops=${node['Actual Loops']})`
      : '';
  return `${name}  ${cost}${actual}`;
}

function renderNode(node: PlanNode, depth: number, lines: string[]): void {
  lines.push(depth === 0 ? title(node) : `${' '.repeat(2 + 6 * (depth - 1))}->  ${title(node)}`);
  const indent = ' '.repeat(2 + 6 * depth);
  for (const key of DETAILS) {
    const value = node[key];
    // Like EXPLAIN's text output, counters that stayed at zero are left out.
    if (value === undefined || value === 0) continue;
    lines.push(`${indent}${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  for (const child of node.Plans ?? []) renderNode(child, depth + 1, lines);
}

/**
 * A JSON plan as `EXPLAIN` prints it: one line per node with its cost, its conditions below it.
 *
 * @example
 * ```ts
 * renderPlan(json); // 'Seq Scan on users  (cost=0.00..1.06 rows=1 width=40)\n  Filter: ...'
 * ```
 */
export function renderPlan(json: ExplainJson): string {
  const lines: string[] = [];
  renderNode(json.Plan, 0, lines);
  if (json['Planning Time'] !== undefined) lines.push(`Planning Time: ${json['Planning Time'].toFixed(3)} ms`);
  if (json['Execution Time'] !== undefined) lines.push(`Execution Time: ${json['Execution Time'].toFixed(3)} ms`);
  return lines.join('\n');
}
