import type { Duration } from '@framework/core';
import {
  asc,
  type Column,
  count as countAll,
  desc,
  eq,
  getTableColumns,
  getTableName,
  type SQL,
  sql,
} from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { bulkInsert } from './bulk-insert.ts';
import { CachedQuery, type CachedQueryOptions } from './cache/cached-query.ts';
import type { SqlClient } from './client.ts';
import { QueryError } from './errors.ts';
import { type ExplainOptions, type ExplainResult, explainQuery } from './perf/explain.ts';
import {
  loadRelations,
  type RelationIndex,
  type RelationMap,
  type RelationPath,
  type WithRelations,
} from './relations.ts';
import type { AnyTable, Executor, NewRowOf, RowOf } from './types.ts';
import { type ChangeListener, type TableWatcher, watchTable } from './watch/watch-table.ts';
import type { FilterValue } from './watch/watch-values.ts';
import { compileWhere, type Where } from './where.ts';

type NameOf<T extends AnyTable> = T['_']['name'];

/** Tables a query can see, by SQL name, with their row types. */
type Scope = Record<string, object>;

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** `'posts.title'` keys over every table in scope. */
type Qualified<S extends Scope> = UnionToIntersection<
  { [T in keyof S & string]: { [C in keyof S[T] & string as `${T}.${C}`]: S[T][C] } }[keyof S & string]
>;

/**
 * An aggregate for an object `select`: `{ total: count(), avgAge: avg('age') }`.
 *
 * @example
 * ```ts
 * const stats = await db.users.select({ count: count(), avgAge: avg('age') }).groupBy('country');
 * ```
 */
export interface Aggregate<Kind extends string = string, Key extends string | undefined = string | undefined> {
  readonly aggregate: Kind;
  readonly column: Key;
}

type FieldOf<S extends Scope, Base extends object, K extends string> = K extends `${infer T}.${infer C} as ${infer A}`
  ? T extends keyof S
    ? C extends keyof S[T]
      ? { [P in A]: S[T][C] }
      : never
    : never
  : K extends `${infer T}.*`
    ? T extends keyof S
      ? S[T]
      : never
    : K extends `${infer T}.${infer C}`
      ? T extends keyof S
        ? C extends keyof S[T]
          ? { [P in C]: S[T][C] }
          : never
        : never
      : K extends keyof Base
        ? { [P in K]: Base[K] }
        : never;

type ValueOf<S extends Scope, Base extends object, V> =
  V extends Aggregate<infer Kind, infer Key>
    ? Kind extends 'count'
      ? number
      : Kind extends 'avg' | 'sum'
        ? number | null
        : Key extends string
          ? FieldOf<S, Base, Key> extends infer F
            ? F[keyof F] | null
            : never
          : never
    : V extends string
      ? FieldOf<S, Base, V> extends infer F
        ? F[keyof F]
        : never
      : never;

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** What a query resolves to, given what was selected: the base rows, or rows by table once joined. */
type ResultOf<S extends Scope, Base extends object, Sel> = Sel extends { readonly rows: infer Rows }
  ? Rows
  : Sel extends 'all'
    ? true extends IsUnion<keyof S>
      ? { [T in keyof S]: S[T] }
      : Base
    : Sel extends readonly string[]
      ? Simplify<UnionToIntersection<FieldOf<S, Base, Sel[number]>>>
      : Sel extends Record<string, unknown>
        ? { [A in keyof Sel]: ValueOf<S, Base, Sel[A]> }
        : never;

/** The keys a query's `where` and `orderBy` take: the base table's columns, and `table.column` for any table in scope. */
export type ColumnKey<S extends Scope, Base extends object> = (keyof Base & string) | (keyof Qualified<S> & string);

/** How a model reaches the database; supplied by `createDatabase` or a transaction. */
export interface ModelContext {
  /** Declared relations, for `.with()`. */
  readonly relations?: RelationIndex;
  /** The primary's client, for live queries. */
  readonly client?: SqlClient;
  reader(): Executor;
  writer(): Executor;
  run<T>(kind: 'read' | 'write', fn: (executor: Executor) => Promise<T>): Promise<T>;
}

interface JoinSpec {
  table: AnyTable;
  left: string;
  right: string;
  kind: 'inner' | 'left';
}

interface State {
  selection: readonly string[] | Record<string, unknown> | undefined;
  joins: readonly JoinSpec[];
  where: readonly object[];
  order: ReadonlyArray<{ key: string; direction: 'asc' | 'desc' }>;
  group: readonly string[];
  limit: number | undefined;
  offset: number | undefined;
  relations: readonly string[];
}

const EMPTY: State = {
  selection: undefined,
  joins: [],
  where: [],
  order: [],
  group: [],
  limit: undefined,
  offset: undefined,
  relations: [],
};

/**
 * A query on one table, built step by step and run when awaited. Every step returns a new query,
 * so a base query can be reused. (Exported as `Query` before; renamed so it does not clash with
 * @framework/core's `Query`, the type of `ctx.query`.)
 *
 * @example
 * ```ts
 * const adults = db.users.where({ age: { gte: 18 } });
 * const page = await adults.select('name', 'age').orderBy('name', 'asc').limit(10).offset(20);
 * const first = await adults.first();
 * ```
 */
export class QueryBuilder<S extends Scope, Base extends object, Sel> implements PromiseLike<ResultOf<S, Base, Sel>[]> {
  protected readonly table: AnyTable;
  protected readonly context: ModelContext;
  protected readonly state: State;

  constructor(table: AnyTable, context: ModelContext, state: State = EMPTY) {
    this.table = table;
    this.context = context;
    this.state = state;
  }

  private next(change: Partial<State>): QueryBuilder<S, Base, Sel> {
    return new QueryBuilder<S, Base, Sel>(this.table, this.context, { ...this.state, ...change });
  }

  /** Picks columns (`'name'`, `'users.name'`, `'users.name as author'`, `'posts.*'`) or aggregates (`{ n: count() }`). */
  select<const K extends readonly string[]>(...keys: K): QueryBuilder<S, Base, K>;
  select<const O extends Record<string, string | Aggregate>>(shape: O): QueryBuilder<S, Base, O>;
  select(...args: unknown[]): unknown {
    const [first] = args;
    if (args.length === 1 && typeof first === 'object' && first !== null) {
      return this.next({ selection: first as Record<string, unknown> });
    }
    return this.next({ selection: args as string[] });
  }

  /** Filters rows; several calls are combined with AND. */
  where(filter: Where<Base & Qualified<S>>): QueryBuilder<S, Base, Sel> {
    return this.next({ where: [...this.state.where, filter] });
  }

  /** Inner join on `left = right` (`'posts.userId', 'users.id'`); `kind: 'left'` for a left join. */
  join<J extends AnyTable>(
    table: J,
    left: ColumnKey<S & { [N in NameOf<J>]: RowOf<J> }, Base>,
    right: ColumnKey<S & { [N in NameOf<J>]: RowOf<J> }, Base>,
    kind: 'inner' | 'left' = 'inner',
  ): QueryBuilder<S & { [N in NameOf<J>]: RowOf<J> }, Base, Sel> {
    const next = this.next({ joins: [...this.state.joins, { table, left, right, kind }] });
    return next as unknown as QueryBuilder<S & { [N in NameOf<J>]: RowOf<J> }, Base, Sel>;
  }

  orderBy(key: ColumnKey<S, Base>, direction: 'asc' | 'desc' = 'asc'): QueryBuilder<S, Base, Sel> {
    return this.next({ order: [...this.state.order, { key, direction }] });
  }

  groupBy(...keys: ColumnKey<S, Base>[]): QueryBuilder<S, Base, Sel> {
    return this.next({ group: [...this.state.group, ...keys] });
  }

  limit(count: number): QueryBuilder<S, Base, Sel> {
    return this.next({ limit: checkCount(count, 'limit') });
  }

  offset(count: number): QueryBuilder<S, Base, Sel> {
    return this.next({ offset: checkCount(count, 'offset') });
  }

  /** The first row, or `null`. */
  async first(): Promise<ResultOf<S, Base, Sel> | null> {
    const rows = await this.limit(1).get();
    return rows[0] ?? null;
  }

  /** Every row. Awaiting the query does the same. */
  get(): Promise<ResultOf<S, Base, Sel>[]> {
    const paths = this.state.relations;
    if (paths.length === 0) return this.context.run('read', (executor) => this.build(executor).execute());
    if (this.state.selection !== undefined || this.state.joins.length > 0 || this.state.group.length > 0) {
      throw new QueryError(
        'FW_DB_BAD_WITH',
        '.with() loads whole rows of one table: drop select(), join() and groupBy() from this query, or load relations separately.',
      );
    }
    const index = this.context.relations;
    if (index === undefined) {
      throw new QueryError('FW_DB_UNKNOWN_RELATION', 'no relations are declared: pass createDatabase({ relations }).');
    }
    // Base rows and every relation level read through one executor (one replica, or the transaction).
    return this.context.run('read', async (executor) => {
      const rows: Record<string, unknown>[] = await this.build(executor).execute();
      await loadRelations(executor, index, this.table, rows, paths);
      return rows as ResultOf<S, Base, Sel>[];
    });
  }

  /** Adds relation paths to load (see `Model.with`). */
  protected withRelations(paths: readonly string[]): QueryBuilder<S, Base, Sel> {
    return this.next({ relations: [...this.state.relations, ...paths] });
  }

  /** Same as `get()`. */
  all(): Promise<ResultOf<S, Base, Sel>[]> {
    return this.get();
  }

  /** The number of matching rows. */
  async count(): Promise<number> {
    const rows: Array<{ count: number }> = await this.context.run('read', (executor) =>
      this.next({
        selection: { count: { aggregate: 'count', column: undefined } },
        order: [],
        limit: undefined,
        offset: undefined,
      })
        .build(executor)
        .execute(),
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Updates the matching rows (a `where` is required); resolves to the updated rows. */
  update(values: Partial<NewRowOf<AnyTable> & Base>): Promise<Base[]> {
    const condition = this.condition();
    if (condition === undefined) {
      throw new QueryError(
        'FW_DB_UNFILTERED_WRITE',
        `update on ${getTableName(this.table)} needs a where(); to change every row, use where({}) with an explicit filter.`,
      );
    }
    return this.context.run('write', (executor) =>
      executor.drizzle.update(this.table).set(values).where(condition).returning().execute(),
    );
  }

  /** Deletes the matching rows (a `where` is required); resolves to the deleted rows. */
  delete(): Promise<Base[]> {
    const condition = this.condition();
    if (condition === undefined) {
      throw new QueryError(
        'FW_DB_UNFILTERED_WRITE',
        `delete on ${getTableName(this.table)} needs a where() that matches something.`,
      );
    }
    return this.context.run('write', (executor) =>
      executor.drizzle.delete(this.table).where(condition).returning().execute(),
    );
  }

  /** The SQL and parameters this query would run. */
  toSQL(): { sql: string; params: unknown[] } {
    return this.build(this.context.reader()).toSQL();
  }

  // biome-ignore lint/suspicious/noThenProperty: queries are awaited directly (`await db.users.where(...)`), like a promise.
  then<A = ResultOf<S, Base, Sel>[], B = never>(
    onfulfilled?: ((value: ResultOf<S, Base, Sel>[]) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.get().then(onfulfilled, onrejected);
  }

  // ---- building -------------------------------------------------------------------------------

  private tables(): AnyTable[] {
    return [this.table, ...this.state.joins.map((join) => join.table)];
  }

  /** Resolves `'name'` (base table) or `'table.name'` to a column, or throws saying which exist. */
  protected column(key: string): Column {
    const dot = key.indexOf('.');
    const [tableName, property] =
      dot === -1 ? [getTableName(this.table), key] : [key.slice(0, dot), key.slice(dot + 1)];
    const table = this.tables().find((candidate) => getTableName(candidate) === tableName);
    if (table === undefined) {
      throw new QueryError(
        'FW_DB_UNKNOWN_TABLE',
        `"${key}" names the table "${tableName}", which this query does not join; tables: ${this.tables()
          .map((t) => getTableName(t))
          .join(', ')}.`,
      );
    }
    const columns: Record<string, Column> = getTableColumns(table);
    const found = columns[property];
    if (found === undefined) {
      throw new QueryError(
        'FW_DB_UNKNOWN_COLUMN',
        `${tableName} has no column "${property}"; columns: ${Object.keys(columns).join(', ')}.`,
      );
    }
    return found;
  }

  private condition(): SQL | undefined {
    const parts = this.state.where
      .map((filter) => compileWhere(filter, (key) => this.column(key)))
      .filter((part) => part !== undefined);
    if (parts.length === 0) return undefined;
    return parts.length === 1
      ? parts[0]
      : sql.join(
          parts.map((part) => sql`(${part})`),
          sql` and `,
        );
  }

  private selection(): Record<string, Column | SQL> | undefined {
    const chosen = this.state.selection;
    if (chosen === undefined) return undefined;
    const out: Record<string, Column | SQL> = {};
    if (Array.isArray(chosen)) {
      for (const key of chosen as readonly string[]) {
        const alias = / as (\w+)$/.exec(key);
        const path = alias ? key.slice(0, alias.index) : key;
        if (path.endsWith('.*')) {
          const name = path.slice(0, -2);
          const table = this.tables().find((candidate) => getTableName(candidate) === name);
          if (table === undefined) this.column(`${name}.*`);
          else Object.assign(out, getTableColumns(table));
          continue;
        }
        const column = this.column(path);
        out[alias?.[1] ?? path.slice(path.indexOf('.') + 1)] = column;
      }
      return out;
    }
    for (const [alias, value] of Object.entries(chosen)) {
      if (typeof value === 'string') out[alias] = this.column(value);
      else out[alias] = this.aggregate(value as Aggregate);
    }
    return out;
  }

  private aggregate(value: Aggregate): SQL {
    const target = value.column === undefined ? undefined : this.column(value.column);
    switch (value.aggregate) {
      case 'count':
        return target === undefined ? countAll() : countAll(target);
      case 'avg':
        return sql`avg(${target})`.mapWith(Number);
      case 'sum':
        return sql`sum(${target})`.mapWith(Number);
      case 'min':
        return target === undefined ? sql`null` : sql`min(${target})`.mapWith(target);
      case 'max':
        return target === undefined ? sql`null` : sql`max(${target})`.mapWith(target);
      default:
        throw new QueryError('FW_DB_BAD_SELECT', `unknown aggregate "${value.aggregate}".`);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: see Executor.
  private build(executor: Executor): any {
    const selection = this.selection();
    let query = (selection === undefined ? executor.drizzle.select() : executor.drizzle.select(selection))
      .from(this.table)
      .$dynamic();
    for (const join of this.state.joins) {
      const on = eq(this.column(join.left), this.column(join.right));
      query = join.kind === 'left' ? query.leftJoin(join.table, on) : query.innerJoin(join.table, on);
    }
    const condition = this.condition();
    if (condition !== undefined) query = query.where(condition);
    if (this.state.group.length > 0) query = query.groupBy(...this.state.group.map((key) => this.column(key)));
    if (this.state.order.length > 0) {
      query = query.orderBy(
        ...this.state.order.map(({ key, direction }) =>
          direction === 'desc' ? desc(this.column(key)) : asc(this.column(key)),
        ),
      );
    }
    if (this.state.limit !== undefined) query = query.limit(this.state.limit);
    if (this.state.offset !== undefined) query = query.offset(this.state.offset);
    return query;
  }

  // ---- performance: explain() and cache() ------------------------------------------------------

  /**
   * The query's plan (`EXPLAIN (FORMAT JSON)`), as text and JSON, with index suggestions for
   * sequential scans that filter on unindexed columns. `{ analyze: true }` runs the query.
   *
   * @example
   * ```ts
   * const { plan, suggestions } = await db.users.where({ email: 'test@example.com' }).explain();
   * ```
   */
  explain(options: ExplainOptions = {}): Promise<ExplainResult> {
    return this.context.run('read', (executor) =>
      explainQuery(executor.drizzle, this.build(executor), this.tables(), options),
    );
  }

  /**
   * This query, served from the query cache for `ttl`: seconds as a bare number (`cache(600)` is
   * ten minutes, the same unit as @framework/cache's `ttl`), or a string with a unit (`'5m'`,
   * `'500ms'`). Writes through the models to a table it reads, and `db.invalidate()` of its tags,
   * drop the entry.
   *
   * @example
   * ```ts
   * const active = await db.users.where({ active: true }).cache('5m', { key: 'active-users', tags: ['users'] });
   * ```
   */
  cache(ttl: Duration, options: CachedQueryOptions = {}): CachedQuery<ResultOf<S, Base, Sel>> {
    return new CachedQuery<ResultOf<S, Base, Sel>>(
      (first, config) =>
        this.context.run('read', (executor) =>
          (first ? this.limit(1) : this).build(executor).$withCache(config).execute(),
        ),
      ttl,
      options,
    );
  }
}

function checkCount(count: number, what: string): number {
  if (!Number.isInteger(count) || count < 0) {
    throw new QueryError('FW_DB_BAD_LIMIT', `${what} takes a whole number ≥ 0, got ${count}.`);
  }
  return count;
}

/**
 * A table's entry point: `db.users`. Queries start here (`where`, `select`, `orderBy`...), and
 * so do writes (`insert`) and lookups by primary key (`find`).
 *
 * @example
 * ```ts
 * const user = await db.users.insert({ email: 'ada@example.com', name: 'Ada' });
 * const same = await db.users.find(user.id);
 * ```
 */
export class Model<
  T extends AnyTable,
  S extends Record<string, AnyTable> = Record<string, AnyTable>,
  R extends RelationMap<S> = {},
  K extends keyof S = keyof S,
> extends QueryBuilder<{ [N in NameOf<T>]: RowOf<T> }, RowOf<T>, 'all'> {
  /** Prepared statements of this model, per drizzle instance (pool or transaction). */
  private readonly prepared = new WeakMap<object, unknown>();
  /**
   * Loads relations with the rows: `'author'`, `'comments'`, `'comments.author'`. One
   * query per relation and level, whatever the number of rows; the result is typed with them.
   */
  with<const P extends readonly RelationPath<S, R, K>[]>(
    ...paths: P
  ): QueryBuilder<{ [N in NameOf<T>]: RowOf<T> }, RowOf<T>, { readonly rows: WithRelations<S, R, K, P[number]> }> {
    return this.withRelations(paths) as unknown as QueryBuilder<
      { [N in NameOf<T>]: RowOf<T> },
      RowOf<T>,
      { readonly rows: WithRelations<S, R, K, P[number]> }
    >;
  }

  /** The drizzle table, for plain drizzle queries. */
  get definition(): T {
    return this.table as T;
  }

  /** The row with this primary key, or `null`. */
  find(id: RowOf<T>[keyof RowOf<T>]): Promise<RowOf<T> | null> {
    const keys = getTableConfig(this.table).columns.filter((column) => column.primary);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined) {
      throw new QueryError(
        'FW_DB_NO_PRIMARY_KEY',
        `find() needs a single-column primary key; ${getTableName(this.table)} has ${keys.length}. Use where({...}).first().`,
      );
    }
    return this.context.run('read', async (executor) => {
      const rows: RowOf<T>[] = await this.findStatement(executor, key).execute({ id });
      return rows[0] ?? null;
    });
  }

  /**
   * `find()` is the hottest lookup: its statement is built once per connection pool and prepared
   * on the server (drizzle's `.prepare(name)`), instead of built and parsed on every call.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see Executor.
  private findStatement(executor: Executor, key: Column): any {
    const owner = executor.drizzle as object;
    let prepared = this.prepared.get(owner);
    if (prepared === undefined) {
      const name = `fw_find_${getTableConfig(this.table).schema ?? 'public'}_${getTableName(this.table)}`.replace(
        /\W/g,
        '_',
      );
      prepared = executor.drizzle
        .select()
        .from(this.table)
        .where(eq(key, sql.placeholder('id')))
        .limit(1)
        .prepare(name);
      this.prepared.set(owner, prepared);
    }
    return prepared;
  }

  /**
   * Live changes of this table, through a trigger and LISTEN/NOTIFY: committed inserts,
   * updates and deletes, with `event.data` and `event.old`, optionally only rows matching an
   * equality filter. See `watchTable` for delivery guarantees.
   */
  watch(callback?: ChangeListener<RowOf<T>>): TableWatcher<RowOf<T>>;
  watch(filter: Partial<RowOf<T>>, callback?: ChangeListener<RowOf<T>>): TableWatcher<RowOf<T>>;
  watch(
    first?: Partial<RowOf<T>> | ChangeListener<RowOf<T>>,
    second?: ChangeListener<RowOf<T>>,
  ): TableWatcher<RowOf<T>> {
    const client = this.context.client;
    if (client === undefined)
      throw new QueryError('FW_DB_NO_CLIENT', 'watch() needs a database created by createDatabase().');
    const callback = typeof first === 'function' ? first : second;
    const filterByProperty = typeof first === 'object' && first !== null ? first : undefined;
    const columns: Record<string, Column> = getTableColumns(this.table);
    const toColumn = new Map(Object.entries(columns).map(([property, column]) => [property, column.name]));
    const toProperty = new Map(Object.entries(columns).map(([property, column]) => [column.name, property]));
    let filter: Record<string, FilterValue> | undefined;
    if (filterByProperty !== undefined) {
      filter = {};
      for (const [property, value] of Object.entries(filterByProperty)) {
        const name = toColumn.get(property);
        if (name === undefined) {
          throw new QueryError(
            'FW_DB_UNKNOWN_COLUMN',
            `${getTableName(this.table)} has no column "${property}"; columns: ${[...toColumn.keys()].join(', ')}.`,
          );
        }
        filter[name] = value as FilterValue;
      }
    }
    const config = getTableConfig(this.table);
    const primaryKey = config.columns.filter((column) => column.primary).map((column) => column.name);
    const compositeKey = config.primaryKeys[0]?.columns.map((column) => column.name) ?? [];
    return watchTable(
      client,
      {
        table: config.name,
        schema: config.schema,
        primaryKey: primaryKey.length > 0 ? primaryKey : compositeKey,
        filter,
        parse: (raw) => {
          const row: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(raw)) row[toProperty.get(name) ?? name] = value;
          return row as RowOf<T>;
        },
      },
      callback,
    );
  }

  /** Inserts one row (resolves to it) or many in one statement (resolves to them, in order). */
  insert(row: NewRowOf<T>): Promise<RowOf<T>>;
  insert(rows: readonly NewRowOf<T>[]): Promise<RowOf<T>[]>;
  insert(input: NewRowOf<T> | readonly NewRowOf<T>[]): Promise<RowOf<T> | RowOf<T>[]> {
    if (Array.isArray(input)) {
      if (input.length === 0) return Promise.resolve([]);
      return this.context.run(
        'write',
        (executor) =>
          (bulkInsert(executor, this.table, input) as Promise<RowOf<T>[]> | undefined) ??
          executor.drizzle.insert(this.table).values(input).returning().execute(),
      );
    }
    return this.context.run('write', async (executor) => {
      const rows: RowOf<T>[] = await executor.drizzle.insert(this.table).values(input).returning().execute();
      return rows[0] as RowOf<T>;
    });
  }
}

/**
 * Aggregates for an object `select`.
 *
 * @example
 * ```ts
 * const [stats] = await db.users.select({ count: count(), avgAge: avg('age'), oldest: max('age') });
 * ```
 */
export function count(): Aggregate<'count', undefined>;
export function count<const K extends string>(column: K): Aggregate<'count', K>;
export function count(column?: string): Aggregate<'count', string | undefined> {
  return { aggregate: 'count', column };
}

/** @example `db.users.select({ avgAge: avg('age') })` */
export function avg<const K extends string>(column: K): Aggregate<'avg', K> {
  return { aggregate: 'avg', column };
}

/** @example `db.orders.select({ revenue: sum('total') })` */
export function sum<const K extends string>(column: K): Aggregate<'sum', K> {
  return { aggregate: 'sum', column };
}

/** @example `db.users.select({ youngest: min('age') })` */
export function min<const K extends string>(column: K): Aggregate<'min', K> {
  return { aggregate: 'min', column };
}

/** @example `db.users.select({ oldest: max('age') })` */
export function max<const K extends string>(column: K): Aggregate<'max', K> {
  return { aggregate: 'max', column };
}
